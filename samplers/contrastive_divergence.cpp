#include "samplers/contrastive_divergence.hpp"

namespace ebm {

template <typename eT>
ContrastiveDivergence<eT>::ContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k)
    : GradientEstimator<eT>(std::move(sampler)), k_(k) {}

template <typename eT>
void ContrastiveDivergence<eT>::estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient,
                                         Rng& rng) {
  model.positive_phase(batch, this->positive_);
  // The chains start from this very minibatch (a peer library once started
  // them from other samples; tests/test_estimators.cpp guards against it).
  this->negative_.layers = this->positive_.layers;
  this->sampler_->run(model, this->negative_, k_, rng);
  this->sampler_->rao_blackwellize(model, this->negative_);
  this->difference(model, gradient);
}

template class ContrastiveDivergence<float>;
template class ContrastiveDivergence<double>;

}  // namespace ebm
