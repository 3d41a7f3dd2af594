#include "samplers/contrastive_divergence.hpp"

#include "libebm/registry/register.hpp"

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
