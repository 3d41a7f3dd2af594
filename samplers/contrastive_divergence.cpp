#include "samplers/contrastive_divergence.hpp"

#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
ContrastiveDivergence<eT>::ContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k)
    : GradientEstimator<eT>(std::move(sampler)), k_(k) {}

template <typename eT>
void ContrastiveDivergence<eT>::estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient,
                                         Rng& rng) {
  const arma::uword n = batch.n_cols;
  // The positive phase runs in the chains' column blocks when the model
  // allows it (libebm/column_blocks.hpp), otherwise whole, first.
  const bool positive_in_blocks = model.positive_phase_by_columns();
  if (positive_in_blocks) this->size_for(model, n, this->positive_);
  else model.positive_phase(batch, this->positive_);
  this->size_for(model, n, chains_);
  this->size_for(model, n, this->negative_);
  this->for_each_chain_block(model, n, rng, [&](typename GradientEstimator<eT>::ChainBlock& block) {
    const ColumnShard columns = block.shard(n);
    State<eT>& positive = column_view(this->positive_, columns, block.positive);
    State<eT>& chains = column_view(chains_, columns, block.chains);
    if (positive_in_blocks) model.positive_phase(column_view(batch, columns), positive);
    Rng::ColumnOffset offset(block.rng, block.rng.column_offset() + columns.first);
    // The chains start from this very minibatch (a peer library once started
    // them from other samples; tests/test_estimators.cpp guards against it):
    // the data, with the latent layers drawn given it.  Binary latent units
    // are drawn from the positive phase's means, which are their exact
    // conditionals for an RBM, so the first half-step costs no product.
    chains.layers[0] = positive.layers[0];
    for (arma::uword l = 1; l < model.n_layers(); ++l) {
      const Layer<eT>& layer = model.layer(l);
      if (k_ == 0) {
        chains.layers[l] = positive.layers[l];
      } else if (layer.is_binary()) {
        block.rng.fill_bernoulli(positive.layers[l], chains.layers[l]);
      } else {
        model.total_input(l, positive, block.input);
        layer.sample(block.input, chains.layers[l], block.rng);
      }
    }
    block.sampler->run_and_rao_blackwellize(model, chains, k_, block.rng,
                                            column_view(this->negative_, columns, block.negative));
  });
  this->difference(model, gradient);
}

template <typename eT>
void ContrastiveDivergence<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("k", 1, "sampler steps from the minibatch (the k of CD-k)", "an integer >= 0");
}

template <typename eT>
std::unique_ptr<ContrastiveDivergence<eT>> ContrastiveDivergence<eT>::create(const BlockOptions& o,
                                                                             std::unique_ptr<Sampler<eT>> sampler) {
  return std::make_unique<ContrastiveDivergence<eT>>(std::move(sampler), unsigned(o.get<std::uint64_t>("k")));
}

template <typename eT>
template <class Archive>
void ContrastiveDivergence<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("estimator", boost::serialization::base_object<GradientEstimator<eT>>(*this));
  ar& boost::serialization::make_nvp("k", k_);
}

template class ContrastiveDivergence<float>;
template class ContrastiveDivergence<double>;

}  // namespace ebm

EBM_REGISTER(ebm::EstimatorKind, ebm::ContrastiveDivergence, "CD-k: chains start at the minibatch (Hinton 2002)")
