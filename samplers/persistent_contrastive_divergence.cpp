#include "samplers/persistent_contrastive_divergence.hpp"

#include <algorithm>

#include <boost/serialization/vector.hpp>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
PersistentContrastiveDivergence<eT>::PersistentContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k,
                                                                     arma::uword n_chains, PerCase per_case)
    : GradientEstimator<eT>(std::move(sampler)), k_(k), n_chains_(n_chains), per_case_(per_case) {}

template <typename eT>
bool PersistentContrastiveDivergence<eT>::uses_case_chains(const Model<eT>& model) const {
  if (per_case_ != PerCase::automatic) return per_case_ == PerCase::yes;
  return model.n_layers() > 0 && model.layer(0).has_missing_entries();
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::estimate(const Model<eT>& model, const Matrix& batch,
                                                   Statistics<eT>& gradient, Rng& rng) {
  if (uses_case_chains(model)) {
    estimate_per_case(model, batch, gradient, rng);
    return;
  }
  // Split over processes, this process moves its shard of the chains, drawn
  // at their global columns (GradientEstimator's contract).
  const ColumnShard shard = chain_shard();
  Rng::ColumnOffset offset(rng, shard.first);
  if (chains_.layers.empty()) {
    if (n_chains_ == 0) n_chains_ = this->sharded() ? this->batch_global_ : batch.n_cols;
    this->sampler_->initialize_chains(model, chains_, chain_shard().count, rng);
  }
  // The positive phase runs in the chains' column blocks when the model
  // allows it (libebm/column_blocks.hpp), otherwise whole, first.
  const bool positive_in_blocks = model.positive_phase_by_columns();
  if (positive_in_blocks) this->size_for(model, batch.n_cols, this->positive_);
  else model.positive_phase(batch, this->positive_);
  // The persistent chains keep their samples; the negative state is their
  // Rao-Blackwellised copy.
  const arma::uword n = chains_.n_cols();
  this->size_for(model, n, this->negative_);
  this->for_each_chain_block(model, n, rng, [&](typename GradientEstimator<eT>::ChainBlock& block) {
    const ColumnShard data_columns = block.shard(batch.n_cols);
    if (positive_in_blocks && data_columns.count > 0)
      model.positive_phase(column_view(batch, data_columns), column_view(this->positive_, data_columns, block.positive));
    const ColumnShard columns = block.shard(n);
    Rng::ColumnOffset block_offset(block.rng, block.rng.column_offset() + columns.first);
    block.sampler->run_and_rao_blackwellize(model, column_view(chains_, columns, block.chains), k_, block.rng,
                                            column_view(this->negative_, columns, block.negative));
  });
  if (this->sharded())
    this->difference(model, gradient, eT(chain_shard().count) / eT(n_chains_));
  else
    this->difference(model, gradient);
}

template <typename eT>
void PersistentContrastiveDivergence<eT>::estimate_per_case(const Model<eT>& model, const Matrix& batch,
                                                            Statistics<eT>& gradient, Rng& rng) {
  if (n_chains_ != 0)
    throw InputError("pcd.chains = " + std::to_string(n_chains_) +
                     ": with per-case chains (pcd.per_case; automatic for data with missing entries) there is one "
                     "chain per training case; set pcd.chains = 0");
  if (!this->sampler_->redraws_visible_first())
    throw InputError("pcd: per-case chains (data with missing entries) need a sampler whose steps redraw the visible "
                     "layer first (block_gibbs), not '" + this->sampler_->type_name() + "'");
  const arma::uword n = this->batch_cases_.n_elem, n_cases = this->n_cases_;
  const arma::uword global = this->sharded() ? this->batch_global_ : batch.n_cols;
  if (n_cases == 0 || n != global)
    throw ContractError("PersistentContrastiveDivergence: per-case chains need the minibatch's training cases "
                        "(set_batch_cases(), which the Trainer calls before estimate()); got " +
                        std::to_string(n) + " cases for a minibatch of " + std::to_string(global));
  const ColumnShard shard = this->sharded()
                                ? column_shard(n, this->communicator_->rank(), this->communicator_->size())
                                : ColumnShard{0, n};
  if (shard.count != batch.n_cols)
    throw ContractError("PersistentContrastiveDivergence: a batch of " + std::to_string(batch.n_cols) +
                        " columns, expected this process's " + std::to_string(shard.count));
  const arma::uword n_layers = model.n_layers();
  if (case_chains_.layers.empty()) {  // first use: no chain has started
    case_chains_.layers.assign(n_layers, Matrix());
    for (arma::uword l = 1; l < n_layers; ++l) case_chains_.layers[l].zeros(model.layer(l).size(), n_cases);
    started_.assign(n_cases, 0);
  }
  // Chains from a checkpoint (or an earlier run) must fit this model and data.
  if (started_.size() != n_cases)
    throw InputError("pcd: the persistent per-case chains are for " + std::to_string(started_.size()) +
                     " training cases, the training data has " + std::to_string(n_cases));
  bool fits = case_chains_.layers.size() == n_layers && case_chains_.layers[0].is_empty();
  for (arma::uword l = 1; fits && l < n_layers; ++l)
    fits = case_chains_.layers[l].n_rows == model.layer(l).size() && case_chains_.layers[l].n_cols == n_cases;
  if (!fits) throw InputError("pcd: the persistent per-case chains do not fit the model's layers");
  for (arma::uword j = 0; j < n; ++j)
    if (this->batch_cases_[j] >= n_cases)
      throw ContractError("PersistentContrastiveDivergence: training case " + std::to_string(this->batch_cases_[j]) +
                          " of " + std::to_string(n_cases));

  model.positive_phase(batch, this->positive_);
  // The batch's chains: the visible layer is the data (the sampler redraws
  // it first, so only its observed set counts), the latent layers each
  // case's persistent state -- or, at a case's first visit, a draw given its
  // data as CD's chains start.  `fresh` is decided over the whole minibatch,
  // so every process makes the same calls on the generator.
  bool fresh = false;
  for (arma::uword j = 0; j < n; ++j) fresh = fresh || !started_[this->batch_cases_[j]];
  batch_chains_.layers.resize(n_layers);
  batch_chains_.layers[0] = this->positive_.layers[0];
  if (fresh) {
    start_.layers.resize(n_layers);
    for (arma::uword l = 1; l < n_layers; ++l) {
      const Layer<eT>& layer = model.layer(l);
      if (layer.is_binary()) {
        rng.fill_bernoulli(this->positive_.layers[l], start_.layers[l]);
      } else {
        model.total_input(l, this->positive_, input_);
        layer.sample(input_, start_.layers[l], rng);
      }
    }
  }
  for (arma::uword l = 1; l < n_layers; ++l) {
    Matrix& x = batch_chains_.layers[l];
    x.set_size(model.layer(l).size(), shard.count);
    for (arma::uword j = 0; j < shard.count; ++j) {
      const arma::uword c = this->batch_cases_[shard.first + j];
      const eT* from = started_[c] ? case_chains_.layers[l].colptr(c) : start_.layers[l].colptr(j);
      std::copy(from, from + x.n_rows, x.colptr(j));
    }
  }
  this->sampler_->run_and_rao_blackwellize(model, batch_chains_, k_, rng, this->negative_);
  // Back to the cases: every process receives the whole minibatch's columns
  // (in rank order = column order), so the chains stay whole everywhere.
  for (arma::uword l = 1; l < n_layers; ++l) {
    Matrix gathered;
    if (this->sharded()) gathered = gather_columns(*this->communicator_, batch_chains_.layers[l]);
    const Matrix& whole = this->sharded() ? gathered : batch_chains_.layers[l];
    for (arma::uword j = 0; j < n; ++j)
      std::copy(whole.colptr(j), whole.colptr(j) + whole.n_rows, case_chains_.layers[l].colptr(this->batch_cases_[j]));
  }
  for (arma::uword j = 0; j < n; ++j) started_[this->batch_cases_[j]] = 1;
  this->difference(model, gradient);  // the chains are the batch's own columns
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
  o.declare<std::string>(
      "per_case", "auto",
      "one persistent chain per training case, moved when its case is in the minibatch (its visible layer restricted "
      "to the case's observed entries); auto: exactly when the visible layer has missing entries",
      "auto, yes or no", [](const std::string& v) { return v == "auto" || v == "yes" || v == "no"; });
}

template <typename eT>
std::unique_ptr<PersistentContrastiveDivergence<eT>> PersistentContrastiveDivergence<eT>::create(
    const BlockOptions& o, std::unique_ptr<Sampler<eT>> sampler) {
  const std::string& per_case = o.get<std::string>("per_case");
  const PerCase mode = per_case == "yes" ? PerCase::yes : per_case == "no" ? PerCase::no : PerCase::automatic;
  return std::make_unique<PersistentContrastiveDivergence<eT>>(std::move(sampler), unsigned(o.get<std::uint64_t>("k")),
                                                               o.get<std::uint64_t>("chains"), mode);
}

template <typename eT>
template <class Archive>
void PersistentContrastiveDivergence<eT>::serialize(Archive& ar, const unsigned int version) {
  ar& boost::serialization::make_nvp("estimator", boost::serialization::base_object<GradientEstimator<eT>>(*this));
  std::uint64_t n_chains = n_chains_;
  ar& boost::serialization::make_nvp("k", k_);
  ar& boost::serialization::make_nvp("n_chains", n_chains);
  n_chains_ = n_chains;
  ar& boost::serialization::make_nvp("chains", chains_.layers);  // the fantasy particles survive a checkpoint
  if (version >= 1) {  // per-case chains (estimate_per_case checks that they fit the model and data)
    std::uint64_t per_case = std::uint64_t(per_case_);
    ar& boost::serialization::make_nvp("per_case", per_case);
    if (per_case > 2) throw InputError("pcd archive: per_case mode " + std::to_string(per_case) + ", expected 0, 1 or 2");
    per_case_ = PerCase(per_case);
    ar& boost::serialization::make_nvp("case_chains", case_chains_.layers);
    ar& boost::serialization::make_nvp("started", started_);
  }
}

template class PersistentContrastiveDivergence<float>;
template class PersistentContrastiveDivergence<double>;

}  // namespace ebm

EBM_REGISTER(ebm::EstimatorKind, ebm::PersistentContrastiveDivergence,
             "PCD-k: persistent fantasy particles (Tieleman 2008)")
