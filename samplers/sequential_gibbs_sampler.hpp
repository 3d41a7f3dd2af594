// Gibbs sampling for any layered model, including layer graphs that are not
// bipartite (a general Boltzmann machine with lateral couplings; Ackley,
// Hinton & Sejnowski 1985; Geman & Geman 1984).
//
// One step sweeps the layers in order 0, 1, ...:
//   - a layer without lateral couplings is drawn at once given all the
//     others (its units are conditionally independent);
//   - a layer with lateral couplings L is drawn unit by unit: unit i given
//     every other unit, for all chains at once.  The layer's total input is
//     computed once, and after unit i changes by d (a row over the chains)
//     the inputs of the other units are corrected by the rank-one update
//     input += L(:, i) d (a column of L times the batch), so a sweep of the
//     layer costs about one GEMM, as block Gibbs does.
// Every update draws from an exact conditional, so each leaves
// p(x) = exp(-E(x))/Z invariant; for a bipartite model the sweep is the
// same chain as block Gibbs up to the order of the draws.
//
// Requires of a laterally coupled layer: an identity interaction, a unit
// type whose mean and sample are elementwise functions of the total input
// alone (Bernoulli, spin; the draw for unit i is computed from its row of
// the input), and couplings given by a LateralConnection.  Other models are
// rejected with a ContractError.  No Rao-Blackwellisation (every layer may
// be coupled to the one drawn next).
#pragma once

#include <memory>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

template <typename eT>
class SequentialGibbsSampler : public Sampler<eT> {
 public:
  static constexpr const char* name = "sequential_gibbs";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<SequentialGibbsSampler> create(const BlockOptions&) {
    return std::make_unique<SequentialGibbsSampler>();
  }

  /// Every layer drawn independently given its base input (its biases).
  void initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains, Rng& rng) override;
  void run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) override;

  /// The lateral coupling matrix of layer l, or null when it has none;
  /// ContractError when the layer's couplings are not one LateralConnection
  /// on an identity-interaction layer.
  static const arma::Mat<eT>* lateral(const Model<eT>& model, arma::uword l);
  /// Draws the units of `layer` one at a time (all chains at once) given
  /// `input`, their total input for the current x (including scale * L x),
  /// keeping `input` current: after unit i changes by d, input += scale *
  /// L(:, i) d.  With scale = beta and input = beta * (total input), a sweep
  /// at inverse temperature beta (used by AIS).  `row`, `draw`: scratch.
  static void sweep_units(const Layer<eT>& layer, const arma::Mat<eT>& lateral, eT scale, arma::Mat<eT>& input,
                          arma::Mat<eT>& x, Rng& rng, arma::Mat<eT>& row, arma::Mat<eT>& draw);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  arma::Mat<eT> input_, row_, draw_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::SequentialGibbsSampler, 0)
