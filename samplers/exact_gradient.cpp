#include "samplers/exact_gradient.hpp"

#include "libebm/partition/bipartite_enumeration.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
ExactGradient<eT>::ExactGradient(unsigned max_log2_states, bool enumerate_positive)
    : GradientEstimator<eT>(nullptr), max_log2_states_(max_log2_states), enumerate_positive_(enumerate_positive) {}

template <typename eT>
void ExactGradient<eT>::data_statistics(const Model<eT>& model, const Matrix& data, Statistics<eT>& out) const {
  std::vector<arma::mat> total;
  Statistics<eT> block_stats;
  arma::Row<eT> weights;
  for (arma::uword n = 0; n < data.n_cols; ++n) {
    const BipartiteEnumeration<eT> enumeration(model, max_log2_states_, Matrix(data.col(n)));
    const double log_zv = enumeration.log_partition();
    enumeration.for_each_block([&](const State<eT>& state, const arma::rowvec& log_w) {
      weights = arma::conv_to<arma::Row<eT>>::from(arma::exp(log_w - log_zv) / double(data.n_cols));
      model.statistics(state, block_stats, &weights);
      if (total.empty())
        for (const auto& s : block_stats) total.emplace_back(s.n_rows, s.n_cols, arma::fill::zeros);
      for (std::size_t i = 0; i < block_stats.size(); ++i) total[i] += arma::conv_to<arma::mat>::from(block_stats[i]);
    });
  }
  out.resize(total.size());
  for (std::size_t i = 0; i < total.size(); ++i) out[i] = arma::conv_to<Matrix>::from(total[i]);
}

template <typename eT>
void ExactGradient<eT>::model_statistics(const Model<eT>& model, Statistics<eT>& out) const {
  const BipartiteEnumeration<eT> enumeration(model, max_log2_states_);
  const double log_z = enumeration.log_partition();
  // Accumulate in double: the sum runs over up to millions of tiny terms.
  std::vector<arma::mat> total;
  Statistics<eT> block_stats;
  arma::Row<eT> weights;
  enumeration.for_each_block([&](const State<eT>& state, const arma::rowvec& log_w) {
    weights = arma::conv_to<arma::Row<eT>>::from(arma::exp(log_w - log_z));
    model.statistics(state, block_stats, &weights);
    if (total.empty())
      for (const auto& s : block_stats) total.emplace_back(s.n_rows, s.n_cols, arma::fill::zeros);
    for (std::size_t i = 0; i < block_stats.size(); ++i) total[i] += arma::conv_to<arma::mat>::from(block_stats[i]);
  });
  out.resize(total.size());
  for (std::size_t i = 0; i < total.size(); ++i) out[i] = arma::conv_to<Matrix>::from(total[i]);
}

template <typename eT>
void ExactGradient<eT>::estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng&) {
  if (enumerate_positive_) {
    data_statistics(model, batch, gradient);
  } else {
    model.positive_phase(batch, this->positive_);
    model.statistics(this->positive_, gradient);
  }
  model_statistics(model, this->negative_statistics_);
  if (this->sharded()) {
    // Each process adds its share of the data term and an equal share of
    // the (identical) model term.
    const eT data_weight = this->data_weight(batch.n_cols);
    const eT model_weight = eT(1) / eT(this->communicator_->size());
    for (std::size_t i = 0; i < gradient.size(); ++i)
      gradient[i] = data_weight * gradient[i] - model_weight * this->negative_statistics_[i];
    return;
  }
  for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] -= this->negative_statistics_[i];
}

template <typename eT>
void ExactGradient<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("max_log2_states", 20, "largest enumeration allowed, as log2 of the number of states",
                           "an integer in [1, 30]", [](const std::uint64_t& n) { return n >= 1 && n <= 30; });
  o.declare<std::string>("positive", "model",
                         "data term: the model's positive phase (model) or exact sums over the latent states of "
                         "every data vector (enumeration; for models whose positive phase is mean-field)",
                         "model or enumeration",
                         [](const std::string& s) { return s == "model" || s == "enumeration"; });
}

template <typename eT>
std::unique_ptr<ExactGradient<eT>> ExactGradient<eT>::create(const BlockOptions& o, std::unique_ptr<Sampler<eT>>) {
  return std::make_unique<ExactGradient<eT>>(unsigned(o.get<std::uint64_t>("max_log2_states")),
                                             o.get<std::string>("positive") == "enumeration");
}

template <typename eT>
template <class Archive>
void ExactGradient<eT>::serialize(Archive& ar, const unsigned int version) {
  ar& boost::serialization::make_nvp("estimator", boost::serialization::base_object<GradientEstimator<eT>>(*this));
  ar& boost::serialization::make_nvp("max_log2_states", max_log2_states_);
  if (version >= 1) ar& boost::serialization::make_nvp("enumerate_positive", enumerate_positive_);
  else enumerate_positive_ = false;
}

template class ExactGradient<float>;
template class ExactGradient<double>;

}  // namespace ebm

EBM_REGISTER(ebm::EstimatorKind, ebm::ExactGradient, "the exact gradient, model term by enumeration")
