// Block Gibbs sampling for models whose layer graph is bipartite (RBM; a DBM
// with its odd and even layers).
//
// The layers split into two colour classes with no connection inside a
// class, so all units of one class are conditionally independent given the
// other and can be drawn at once.  One step draws colour 1 (the class
// without the visible layer) given colour 0, then colour 0 given colour 1:
// for an RBM, h ~ p(h|v) then v ~ p(v|h).
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
  /// Colour-1 layers <- E[layer | colour-0 layers].
  void rao_blackwellize(const Model<eT>& model, State<eT>& state) override;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  const std::vector<int>& colouring(const Model<eT>& model);
  void draw_colour(const Model<eT>& model, State<eT>& state, int colour, Rng& rng);

  std::vector<int> colour_;
  const Model<eT>* coloured_model_ = nullptr;
  arma::Mat<eT> input_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::BlockGibbsSampler, 0)
