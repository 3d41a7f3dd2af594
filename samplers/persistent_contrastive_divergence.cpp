#include "samplers/persistent_contrastive_divergence.hpp"

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
PersistentContrastiveDivergence<eT>::PersistentContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k,
                                                                     arma::uword n_chains)
    : GradientEstimator<eT>(std::move(sampler)), k_(k), n_chains_(n_chains) {}

template <typename eT>
void PersistentContrastiveDivergence<eT>::estimate(const Model<eT>& model, const Matrix& batch,
                                                   Statistics<eT>& gradient, Rng& rng) {
  // Split over processes, this process moves its shard of the chains, drawn
  // at their global columns (GradientEstimator's contract).
  const ColumnShard shard = chain_shard();
  Rng::ColumnOffset offset(rng, shard.first);
  if (chains_.layers.empty()) {
    if (n_chains_ == 0) n_chains_ = this->sharded() ? this->batch_global_ : batch.n_cols;
    this->sampler_->initialize_chains(model, chains_, chain_shard().count, rng);
  }
  model.positive_phase(batch, this->positive_);
  // The persistent chains keep their samples; the negative state is their
  // Rao-Blackwellised copy.
  this->sampler_->run_and_rao_blackwellize(model, chains_, k_, rng, this->negative_);
  if (this->sharded())
    this->difference(model, gradient, eT(chain_shard().count) / eT(n_chains_));
  else
    this->difference(model, gradient);
}

template <typename eT>
ColumnShard PersistentContrastiveDivergence<eT>::chain_shard() const {
  if (!this->sharded()) return {0, n_chains_};
  return column_shard(n_chains_, this->communicator_->rank(), this->communicator_->size());
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::set_communicator(Communicator* communicator) {
  if (communicator && communicator->size() > 1 && this->sampler_->keeps_chain_state())
    throw ContractError("pcd: the sampler '" + this->sampler_->type_name() +
                        "' keeps state per chain and cannot be split over processes yet; use block_gibbs");
  GradientEstimator<eT>::set_communicator(communicator);
  split_shards();
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::split_shards() {
  // Whole chains (a checkpoint written by any number of processes holds
  // them all) -> this process's columns.
  if (!this->sharded() || chains_.layers.empty() || chains_.layers[0].n_cols != n_chains_) return;
  const ColumnShard shard = chain_shard();
  for (auto& layer : chains_.layers) layer = Matrix(layer.cols(shard.first, shard.first + shard.count - 1));
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::join_shards() {
  if (!this->sharded() || chains_.layers.empty()) return;
  for (auto& layer : chains_.layers) layer = gather_columns(*this->communicator_, layer);
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
