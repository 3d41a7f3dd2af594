#include "samplers/persistent_contrastive_divergence.hpp"

namespace ebm {

template <typename eT>
PersistentContrastiveDivergence<eT>::PersistentContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k,
                                                                     arma::uword n_chains)
    : GradientEstimator<eT>(std::move(sampler)), k_(k), n_chains_(n_chains) {}

template <typename eT>
void PersistentContrastiveDivergence<eT>::estimate(const Model<eT>& model, const Matrix& batch,
                                                   Statistics<eT>& gradient, Rng& rng) {
  if (chains_.layers.empty()) {
    if (n_chains_ == 0) n_chains_ = batch.n_cols;
    this->sampler_->initialize_chains(model, chains_, n_chains_, rng);
  }
  model.positive_phase(batch, this->positive_);
  this->sampler_->run(model, chains_, k_, rng);
  // Rao-Blackwellise a copy: the persistent chains must keep their samples.
  this->negative_.layers = chains_.layers;
  this->sampler_->rao_blackwellize(model, this->negative_);
  this->difference(model, gradient);
}

template class PersistentContrastiveDivergence<float>;
template class PersistentContrastiveDivergence<double>;

}  // namespace ebm
