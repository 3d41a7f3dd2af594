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
  // them from other samples; tests/test_estimators.cpp guards against it):
  // the data, with the latent layers drawn given it.  Binary latent units
  // are drawn from the positive phase's means, which are their exact
  // conditionals for an RBM, so the first half-step costs no product.
  chains_.layers.resize(model.n_layers());
  chains_.layers[0] = this->positive_.layers[0];
  for (arma::uword l = 1; l < model.n_layers(); ++l) {
    const Layer<eT>& layer = model.layer(l);
    if (k_ == 0) {
      chains_.layers[l] = this->positive_.layers[l];
    } else if (layer.is_binary()) {
      rng.fill_bernoulli(this->positive_.layers[l], chains_.layers[l]);
    } else {
      model.total_input(l, this->positive_, input_);
      layer.sample(input_, chains_.layers[l], rng);
    }
  }
  this->sampler_->run_and_rao_blackwellize(model, chains_, k_, rng, this->negative_);
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
