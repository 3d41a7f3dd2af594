// General (fully connected) Boltzmann machine: a visible and a hidden layer
// joined by dense weights W, with lateral couplings inside each layer
// (symmetric, zero diagonal; Ackley, Hinton & Sejnowski 1985):
//
//   E(v, h) = self_energy_v(v) + self_energy_h(h) - v^T W h - 1/2 v^T L v - 1/2 h^T J h
//
// Energy, total inputs and statistics are the generic Model machinery (the
// lateral couplings are LateralConnection blocks).  What the BM adds:
//   - the positive phase: E[h | v] does not factorise when J != 0, so it is
//     the damped mean-field fixed point mu = mean_h(c + W^T v + J mu)
//     (libebm/inference/mean_field.hpp; Salakhutdinov 2008, "Learning and
//     evaluating Boltzmann machines", UTML TR 2008-002), exact when J = 0;
//   - the free energy by enumeration of the hidden layer when it is small
//     (has_free_energy() says when), for the exact monitors.
// The layer graph is not bipartite: train with `sampler = sequential_gibbs`
// (block Gibbs rejects the model).  Connection order: W, then L (if
// visible_lateral), then J (if hidden_lateral).
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/dense_connection.hpp"
#include "libebm/connections/lateral_connection.hpp"
#include "libebm/inference/mean_field.hpp"
#include "libebm/model.hpp"
#include "libebm/registry/kinds.hpp"

namespace ebm {

template <typename eT>
class BoltzmannMachine : public Model<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  BoltzmannMachine(std::unique_ptr<Layer<eT>> visible, std::unique_ptr<Layer<eT>> hidden, bool visible_lateral = true,
                   bool hidden_lateral = true, MeanFieldOptions mean_field = {});

  static constexpr const char* name = "bm";
  std::string type_name() const override { return name; }
  /// [bm]: hidden, visible_units, hidden_units, visible_lateral,
  /// hidden_lateral, mean_field_damping, mean_field_iterations,
  /// mean_field_tolerance.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<BoltzmannMachine> create(const BlockOptions& options, const ModelContext<eT>& context);

  Layer<eT>& visible() { return this->layer(0); }
  Layer<eT>& hidden() { return this->layer(1); }
  /// W, visible x hidden.
  Matrix& weights() { return weights_->weights(); }
  /// The lateral couplings of the visible (L) and hidden (J) layers, or null.
  LateralConnection<eT>* visible_lateral() { return visible_lateral_; }
  LateralConnection<eT>* hidden_lateral() { return hidden_lateral_; }

  const MeanFieldOptions& mean_field_options() const { return mean_field_; }
  void set_mean_field_options(const MeanFieldOptions& options) { mean_field_ = options; }

  /// state = {data, mean-field fixed point of the hidden means}.
  void positive_phase(const Matrix& data, State<eT>& state) const override;

  /// True when the hidden layer can be enumerated (at most 2^20 states).
  bool has_free_energy() const override;
  /// F(v) = -log sum_h exp(-E(v, h)) by enumerating h, in double.
  arma::rowvec free_energy(const Matrix& visible) const override;

 private:
  friend class boost::serialization::access;
  BoltzmannMachine() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  DenseConnection<eT>* weights_ = nullptr;
  LateralConnection<eT>* visible_lateral_ = nullptr;
  LateralConnection<eT>* hidden_lateral_ = nullptr;
  MeanFieldOptions mean_field_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::BoltzmannMachine, 0)
