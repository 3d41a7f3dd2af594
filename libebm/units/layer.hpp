// Extension point: a unit type, i.e. one layer of units of the same kind.
//
// CONTRACT for implementations (see docs/extending.md for a worked example)
//
// A layer of n units contributes to the model's energy
//     E(x) = self_energy(x) - sum_edges interaction(x_a)^T W interaction(x_b)
// where self_energy holds the layer's own terms (for Bernoulli units -b.x;
// for Gaussian units (x-b)^2/(2 sigma^2)).  Conditioned on its neighbours, a
// layer's units are independent, and their conditional depends on the
// neighbours only through the *total input* matrix built as
//     input = base_input()  (broadcast to every column)  +  sum of messages
// where each connection sends W^T interaction(x_neighbour).  All methods
// work on whole batches (one configuration per column) and must not call
// anything virtual per element: they are the hot loop.
//
// Requires of an implementation:
//   - type_name(): the unit type's registered name (e.g. "bernoulli").
//   - mean(input): E[x | input], elementwise.
//   - sample(input, rng): one draw of x | input per entry, from rng only.
//   - self_energy(x): per column, in double.
//   - log_partition(input): per column, sum_i log sum_{x_i} exp(-self_i(x_i)
//     + interaction(x_i) * message_i), i.e. minus the free-energy term of the
//     layer when it is summed out; in double; must not overflow for large
//     inputs.
//   - statistics(x, weights, out): for each of the layer's parameters, the
//     batch mean of d(-E)/dtheta over the columns of x -- or, when `weights`
//     is not null, the weighted sum sum_c weights[c] d(-E)/dtheta(x_c) --
//     written to out[0..n_parameters()-1].
//   - state_count()/states(): enumeration of all configurations when the
//     layer is discrete and small (state_count() == 0 when not enumerable).
// Ensures: every output has the documented shape; no state is kept between
// calls except the parameters.
//
// Registration (see libebm/registry/register.hpp): a static `name`,
// `static void declare_options(BlockOptions&)` for its [name] config
// section, `static std::unique_ptr<T> create(const BlockOptions&, arma::uword
// size)`, a default constructor and serialize() for archives, and one
// EBM_REGISTER(ebm::UnitsKind, T, "summary") line in its .cpp.
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
class Layer {
 public:
  using Matrix = arma::Mat<eT>;

  explicit Layer(arma::uword size) : bias_(size, 1, arma::fill::zeros) {}
  virtual ~Layer() = default;

  virtual std::string type_name() const = 0;

  arma::uword size() const { return bias_.n_rows; }

  /// The bias b (size x 1).  Every unit type has one.
  Matrix& bias() { return bias_; }
  const Matrix& bias() const { return bias_; }

  /// Appends this layer's parameters (bias first) named "<prefix>.<name>".
  virtual void parameters(ParameterList<eT>& out, const std::string& prefix) {
    out.push_back({prefix + ".bias", &bias_, false});
  }
  virtual arma::uword n_parameters() const { return 1; }

  /// Sets `input` to size x n_cols, every column the layer's base input.
  virtual void base_input(Matrix& input, arma::uword n_cols) const {
    input.set_size(size(), n_cols);
    input.each_col() = bias_.col(0);
  }

  /// What connections multiply: interaction(x).  Identity unless overridden.
  virtual bool interaction_is_identity() const { return true; }
  virtual void interaction(const Matrix& x, Matrix& out) const { out = x; }

  /// Missing entries (issue 4).  Model::total_input() calls this with the
  /// layer's current state `x` (same shape as `input`): a unit type whose
  /// data can leave units unobserved (SoftmaxLayer with `missing = true`: an
  /// all-zero group is an unrated item) marks the input of those units, and
  /// its mean(), sample() and log_partition() then give them 0, so they add
  /// nothing to energies, messages or statistics and no sampler fills them.
  /// Default: every unit is observed, nothing to do.
  virtual void mark_unobserved(const Matrix& x, Matrix& input) const { (void)x, (void)input; }
  /// True when mark_unobserved() may mark units, i.e. data may leave some of
  /// this layer's units unobserved.  Chains that persist across minibatches
  /// must then be tied to their training case (PCD's per-case chains), as
  /// each case has its own model over its observed units.  Default: false.
  virtual bool has_missing_entries() const { return false; }

  virtual void mean(const Matrix& input, Matrix& out) const = 0;
  virtual void sample(const Matrix& input, Matrix& out, Rng& rng) const = 0;
  virtual arma::rowvec self_energy(const Matrix& x) const = 0;
  virtual arma::rowvec log_partition(const Matrix& input) const = 0;
  virtual void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const = 0;

  /// True when every unit takes only the values 0 and 1 (needed by the
  /// pseudo-likelihood, which flips one unit at a time).
  virtual bool is_binary() const { return false; }

  /// Number of joint configurations of the layer, or 0 when it is not
  /// discrete or has more than 2^62 of them.
  virtual arma::uword state_count() const { return 0; }
  /// Writes configurations first .. first+count-1 (in a fixed enumeration
  /// order) as the columns of `out`.
  virtual void states(arma::uword first, arma::uword count, Matrix& out) const;

  /// Maps binary data in {0, 1} to this unit type's own encoding of the two
  /// states, in place (identity for Bernoulli units; 2x - 1 for spins).
  virtual void from_binary(Matrix& x) const { (void)x; }

  /// Centering (issue 9, libebm/training/centering.hpp).  Centered training
  /// shifts the bias by a message of the other layers' offsets, so it needs
  /// to know how the bias enters the total input: base_input = s % b, s
  /// returned here per unit (1 for most unit types; 1 / sigma^2 for
  /// Gaussian units), and d(-E)/db must be s % (x - const), so that the
  /// bias gradient divided by s is the difference of the mean states.
  virtual Matrix bias_input_scale() const { return Matrix(size(), 1, arma::fill::ones); }
  /// "" when the layer can be centered; otherwise why not.  Default: units
  /// with missing entries cannot (a batch mean over units some samples
  /// leave unobserved is not the mean of a state, and centering would give
  /// the unobserved units energy).
  virtual std::string centering_obstacle() const {
    return has_missing_entries() ? type_name() + " units with missing entries" : "";
  }
  /// Centering, for a layer whose bias_input_scale s depends on its other
  /// parameters theta (a Gaussian layer's learned log-variance).  The
  /// ordinary bias is b = b_c - m / s(theta), m = `message` (the input the
  /// layer receives when every layer sits at its offset), so in centered
  /// coordinates the gradient of theta gains
  ///     g_b . db/dtheta = delta % m % s'(theta) / s(theta),
  /// delta = `delta` = g_b / s.  Adds those terms to gradient[1] ..
  /// gradient[n_parameters() - 1] (the parameters after the bias, in
  /// parameters() order); gradient[0] is left alone.  Default: nothing (s
  /// does not depend on a parameter).
  virtual void add_centering_scale_terms(const Matrix& message, const Matrix& delta, Matrix* gradient) const {
    (void)message, (void)delta, (void)gradient;
  }

  /// Sets the layer's parameters from data it will model (one sample per
  /// column), e.g. Bernoulli visible biases log(p/(1-p)) of the data means
  /// (Hinton 2010, "A practical guide to training RBMs", section 8.1).
  virtual void initialize_from_data(const Matrix& data) { (void)data; }

 protected:
  Layer() = default;  // for loading from an archive

  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& boost::serialization::make_nvp("bias", bias_);
  }

  Matrix bias_;
};

}  // namespace ebm
