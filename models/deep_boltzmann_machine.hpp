// Deep Boltzmann machine: a visible layer and any number of hidden layers in
// a chain, each joined to the next by dense weights, no connections inside
// a layer or between non-adjacent layers (Salakhutdinov & Hinton 2009,
// "Deep Boltzmann Machines", AISTATS):
//
//   E(v, h1, ..., hL) = sum_l self_energy_l(x_l) - sum_{l=0}^{L-1} x_l^T W_{l+1} x_{l+1}
//
// The layer graph is a chain, hence bipartite: the even layers (v, h2, ...)
// and the odd layers (h1, h3, ...) are the two colour classes, so the
// existing BlockGibbsSampler is the odd/even block Gibbs of the paper and
// PCD trains the negative phase unchanged.  What the DBM adds:
//   - the positive phase: the mean-field fixed point of q(h | v) (paper,
//     section 3.1; libebm/inference/mean_field.hpp), with v clamped;
//   - the free energy by enumeration when one colour class of the latent
//     layers is small (has_free_energy() says when), for the exact monitors.
// Connection c joins layers c and c + 1.
#pragma once

#include <memory>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/dense_connection.hpp"
#include "libebm/inference/mean_field.hpp"
#include "libebm/model.hpp"
#include "libebm/registry/kinds.hpp"

namespace ebm {

template <typename eT>
class DeepBoltzmannMachine : public Model<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  /// layers[0] visible, then the hidden layers bottom to top (at least one).
  explicit DeepBoltzmannMachine(std::vector<std::unique_ptr<Layer<eT>>> layers, MeanFieldOptions mean_field = {});

  static constexpr const char* name = "dbm";
  std::string type_name() const override { return name; }
  /// [dbm]: hidden (a list), visible_units, hidden_units (one, or one per
  /// hidden layer), mean_field_*.  Two adjacent Gaussian layers are refused
  /// (InputError): their energy is unbounded below for large enough weights.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<DeepBoltzmannMachine> create(const BlockOptions& options, const ModelContext<eT>& context);
  /// Parses "500,1000" into {500, 1000}; throws InputError naming `key`.
  static std::vector<arma::uword> parse_sizes(const std::string& text, const std::string& key);

  arma::uword n_hidden_layers() const { return this->n_layers() - 1; }
  /// W_l between layers l-1 and l (l = 1 .. n_hidden_layers()).
  Matrix& weights(arma::uword l) { return weights_.at(l - 1)->weights(); }
  const Matrix& weights(arma::uword l) const { return weights_.at(l - 1)->weights(); }

  const MeanFieldOptions& mean_field_options() const { return mean_field_; }
  void set_mean_field_options(const MeanFieldOptions& options) { mean_field_ = options; }

  /// Greedy pretraining's progress (models/dbm_pretraining.hpp), archived
  /// so that a run interrupted between two layers' RBMs resumes at the
  /// next one: the number of RBMs trained (n_hidden_layers() once
  /// pretraining has finished, 0 for a model never pretrained) and, while
  /// it is unfinished, the bias of each trained RBM's upper layer as that
  /// RBM learned it (the next RBM's data are its up-pass, and the layer's
  /// final bias averages it with the next RBM's estimate).
  arma::uword pretrained_levels() const { return pretrained_levels_; }
  const std::vector<Matrix>& pretraining_upper_biases() const { return pretraining_upper_biases_; }
  /// ContractError unless levels <= n_hidden_layers(), upper_biases[k]
  /// has the size of layer k + 1, and upper_biases is empty when levels
  /// is n_hidden_layers() and has `levels` entries otherwise.
  void set_pretraining_progress(arma::uword levels, std::vector<Matrix> upper_biases);

  /// state = {data, mean-field means of h1, ..., hL}.
  void positive_phase(const Matrix& data, State<eT>& state) const override;

  /// True when the latent layers can be enumerated with v clamped within
  /// 2^20 states (one colour class of the hidden chain summed out).
  bool has_free_energy() const override;
  /// F(v) = -log sum_h exp(-E(v, h)) by enumeration, in double.
  arma::rowvec free_energy(const Matrix& visible) const override;

 private:
  friend class boost::serialization::access;
  DeepBoltzmannMachine() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// "" when (levels, upper_biases) is a valid pretraining progress, else why not.
  std::string pretraining_progress_problem(arma::uword levels, const std::vector<Matrix>& upper_biases) const;

  std::vector<DenseConnection<eT>*> weights_;
  MeanFieldOptions mean_field_;
  arma::uword pretrained_levels_ = 0;
  std::vector<Matrix> pretraining_upper_biases_;
};

}  // namespace ebm

// Version 1: the pretraining progress (archives of version 0 were written
// after pretraining or without it: they load as finished).
EBM_CLASS_VERSION(ebm::DeepBoltzmannMachine, 1)
