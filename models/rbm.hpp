// Restricted Boltzmann machine: a visible and a hidden layer of any unit
// types joined by one dense connection, no connections inside a layer
// (Smolensky 1986; Hinton 2002).
//
//   E(v, h) = self_energy_v(v) + self_energy_h(h) - iv(v)^T W ih(h)
//   F(v)    = self_energy_v(v) - log_partition_h(c + W^T iv(v))
//
// Everything else (energy of a joint state, total inputs, statistics) is the
// generic Model machinery; the RBM adds what its bipartite structure makes
// exact: the positive phase E[h|v] and the free energies.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/dense_connection.hpp"
#include "libebm/model.hpp"
#include "libebm/registry/kinds.hpp"

namespace ebm {

template <typename eT>
class Rbm : public Model<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  Rbm(std::unique_ptr<Layer<eT>> visible, std::unique_ptr<Layer<eT>> hidden);

  static constexpr const char* name = "rbm";
  std::string type_name() const override { return name; }
  /// [rbm]: hidden, visible_units, hidden_units.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<Rbm> create(const BlockOptions& options, const ModelContext<eT>& context);

  Layer<eT>& visible() { return this->layer(0); }
  const Layer<eT>& visible() const { return this->layer(0); }
  Layer<eT>& hidden() { return this->layer(1); }
  const Layer<eT>& hidden() const { return this->layer(1); }
  /// W, visible x hidden.
  Matrix& weights() { return weights_->weights(); }
  const Matrix& weights() const { return weights_->weights(); }

  /// state = {data, E[h | data]}.
  void positive_phase(const Matrix& data, State<eT>& state) const override;
  /// E[h|v] column by column (one product and the layer's means).
  bool positive_phase_by_columns() const override { return true; }

  bool has_free_energy() const override { return true; }
  /// F(v) = -log sum_h exp(-E(v, h)), per column, in double.
  arma::rowvec free_energy(const Matrix& visible) const override;
  /// F(h) = -log sum_v exp(-E(v, h)), per column, in double.
  arma::rowvec hidden_free_energy(const Matrix& hidden) const;

  /// input <- total input of the hidden layer given visible configurations.
  void hidden_input(const Matrix& visible, Matrix& input) const;
  /// input <- total input of the visible layer given hidden configurations.
  void visible_input(const Matrix& hidden, Matrix& input) const;

 private:
  friend class boost::serialization::access;
  Rbm() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  DenseConnection<eT>* weights_ = nullptr;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::Rbm, 0)
