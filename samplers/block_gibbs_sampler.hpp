// Block Gibbs sampling for models whose layer graph is bipartite (RBM; a DBM
// with its odd and even layers).
//
// The layers split into two colour classes with no connection inside a
// class, so all units of one class are conditionally independent given the
// other and can be drawn at once.  One step draws colour 0 (the class with
// the visible layer) given colour 1, then colour 1 given colour 0: for an
// RBM, v ~ p(v|h) then h ~ p(h|v).  Ending each step on the hidden layer
// lets run_and_rao_blackwellize() take E[h|v] from the conditional of the
// last half-step instead of a further product: CD-k and PCD-k then cost
// (k+1) + k + 2 products per minibatch, the minimum.
#pragma once

#include <memory>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

template <typename eT>
class BlockGibbsSampler : public Sampler<eT> {
 public:
  static constexpr const char* name = "block_gibbs";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<BlockGibbsSampler> create(const BlockOptions&) { return std::make_unique<BlockGibbsSampler>(); }

  /// Every layer drawn independently given its base input alone (its
  /// biases): for an RBM whose visible biases came from the data marginals,
  /// a sample of the base-rate model.
  void initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains, Rng& rng) override;
  void run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) override;
  /// Chains are columns moved independently; one bulk draw per layer and
  /// half-step, whatever the chains hold.
  bool runs_by_columns() const override { return true; }
  /// Each step draws colour 0, which holds the visible layer, first.
  bool redraws_visible_first() const override { return true; }
  /// Colour-1 layers <- E[layer | colour-0 layers].
  void rao_blackwellize(const Model<eT>& model, State<eT>& state) override;
  /// run() then rao_blackwellize() of a copy, fused: the last half-step
  /// computes E[layer | colour 0] of each colour-1 layer into
  /// `expectations` and draws the layer from it (binary unit types: x = [u <
  /// mean], which for Bernoulli units is bit for bit what run() draws).
  void run_and_rao_blackwellize(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng,
                                State<eT>& expectations) override;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  const std::vector<int>& colouring(const Model<eT>& model);
  void check_state(const Model<eT>& model, const State<eT>& state, const char* caller) const;
  /// Draws the layers of `colour` given the others; with `means`, also
  /// stores their conditional means in means->layers.
  void draw_colour(const Model<eT>& model, State<eT>& state, int colour, Rng& rng, State<eT>* means = nullptr);

  std::vector<int> colour_;
  const Model<eT>* coloured_model_ = nullptr;
  arma::Mat<eT> input_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::BlockGibbsSampler, 0)
