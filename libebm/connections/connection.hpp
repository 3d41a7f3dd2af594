// Extension point: a connection, the couplings between two layers of a
// model (or, with from() == to(), inside one layer).
//
// CONTRACT
// A connection between layers a = from() and b = to() contributes
//     -interaction(x_a)^T W interaction(x_b)
// to the energy of every configuration (per column), and sends messages:
//     to layer b:  W^T interaction(x_a)       to layer a:  W interaction(x_b)
// which the model adds into the receiving layer's total input.  Its
// statistics are the batch means of d(-E)/dtheta for each of its parameters.
// All methods work on whole batches through matrix products; none may do
// per-element virtual calls.
#pragma once

#include <armadillo>
#include <string>

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>

#include "libebm/archive/arma_serialization.hpp"
#include "libebm/config/block_options.hpp"
#include "libebm/parameter.hpp"
#include "libebm/random.hpp"

namespace ebm {

template <typename eT>
class Connection {
 public:
  using Matrix = arma::Mat<eT>;

  Connection(arma::uword from, arma::uword to) : from_(from), to_(to) {}
  virtual ~Connection() = default;

  virtual std::string type_name() const = 0;

  arma::uword from() const { return from_; }
  arma::uword to() const { return to_; }

  virtual void parameters(ParameterList<eT>& out, const std::string& prefix) = 0;
  virtual arma::uword n_parameters() const = 0;

  /// input += message to layer `target` (from() or to()) given the other
  /// end's interaction form `source`.
  virtual void add_message(arma::uword target, const Matrix& source, Matrix& input) const = 0;

  /// Per column, the connection's energy term -x_a^T W x_b (in double).
  virtual arma::rowvec energy(const Matrix& x_from, const Matrix& x_to) const = 0;

  /// out[k] = batch mean of d(-E)/dtheta_k over the columns, for each of the
  /// parameters; with `weights`, the weighted sum sum_c weights[c] (...)_c.
  /// Centered training (libebm/training/centering.hpp) relies on the energy
  /// term being bilinear in the two ends' states (quadratic in the one
  /// layer's state for a coupling inside a layer), so that these statistics,
  /// given offsets instead of states, are the centering correction.
  virtual void statistics(const Matrix& x_from, const Matrix& x_to, const arma::Row<eT>* weights,
                          Matrix* out) const = 0;

  /// Whether the parameters' shapes fit layers of these sizes (checked when
  /// a model is loaded from an archive).
  virtual bool fits(arma::uword n_from, arma::uword n_to) const {
    (void)n_from, (void)n_to;
    return true;
  }

  /// Random initial couplings with standard deviation `stddev`.
  virtual void initialize(Rng& rng, double stddev) = 0;

 protected:
  Connection() = default;  // for loading from an archive

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    std::uint64_t from = from_, to = to_;
    ar& boost::serialization::make_nvp("from", from);
    ar& boost::serialization::make_nvp("to", to);
    from_ = from, to_ = to;
  }

  arma::uword from_ = 0, to_ = 1;
};

}  // namespace ebm
