#include "samplers/persistent_contrastive_divergence.hpp"

#include "libebm/registry/register.hpp"

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
  // The persistent chains keep their samples; the negative state is their
  // Rao-Blackwellised copy.
  this->sampler_->run_and_rao_blackwellize(model, chains_, k_, rng, this->negative_);
  this->difference(model, gradient);
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("k", 1, "sampler steps per update (the k of PCD-k)", "an integer >= 0");
  o.declare<std::uint64_t>("chains", 0, "persistent chains (0: as many as the minibatch has samples)",
                           "an integer >= 0");
}

template <typename eT>
std::unique_ptr<PersistentContrastiveDivergence<eT>> PersistentContrastiveDivergence<eT>::create(
    const BlockOptions& o, std::unique_ptr<Sampler<eT>> sampler) {
  return std::make_unique<PersistentContrastiveDivergence<eT>>(std::move(sampler), unsigned(o.get<std::uint64_t>("k")),
                                                               o.get<std::uint64_t>("chains"));
}

template <typename eT>
template <class Archive>
void PersistentContrastiveDivergence<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("estimator", boost::serialization::base_object<GradientEstimator<eT>>(*this));
  std::uint64_t n_chains = n_chains_;
  ar& boost::serialization::make_nvp("k", k_);
  ar& boost::serialization::make_nvp("n_chains", n_chains);
  n_chains_ = n_chains;
  ar& boost::serialization::make_nvp("chains", chains_.layers);  // the fantasy particles survive a checkpoint
}

template class PersistentContrastiveDivergence<float>;
template class PersistentContrastiveDivergence<double>;

}  // namespace ebm

EBM_REGISTER(ebm::EstimatorKind, ebm::PersistentContrastiveDivergence,
             "PCD-k: persistent fantasy particles (Tieleman 2008)")
