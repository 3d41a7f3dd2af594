#include "libebm/recommender/rbm_recommender.hpp"

#include <map>

#include "libebm/error.hpp"
#include "libebm/units/softmax_layer.hpp"

namespace ebm {

template <typename eT>
RbmRecommender<eT>::RbmRecommender(const Rbm<eT>& model, const SparseRatings& known, bool item_based)
    : model_(model), known_(known), item_based_(item_based) {
  const auto* softmax = dynamic_cast<const SoftmaxLayer<eT>*>(&model.visible());
  if (!softmax || softmax->states_per_group() != known.levels || !softmax->missing_entries() ||
      softmax->n_groups() != known.n_variables)
    throw InputError("the recommender needs an rbm whose visible units are softmax with softmax.states = " +
                     std::to_string(known.levels) + " and softmax.missing = true over " +
                     std::to_string(known.n_variables) + " " + (item_based ? "users" : "items") + "; the model has " +
                     model.visible().type_name() + " units of size " + std::to_string(model.visible().size()));
}

template <typename eT>
arma::mat RbmRecommender<eT>::level_probabilities(
    const std::vector<std::pair<arma::uword, arma::uword>>& pairs) const {
  const unsigned k = known_.levels;
  arma::mat out(k, pairs.size(), arma::fill::zeros);
  // The pairs by sample, so each sample's hidden code is computed once.
  std::map<arma::uword, std::vector<std::size_t>> by_sample;
  for (std::size_t q = 0; q < pairs.size(); ++q) {
    const arma::uword sample = item_based_ ? pairs[q].second : pairs[q].first;
    if (sample >= known_.n_samples)
      throw ContractError("RbmRecommender: sample " + std::to_string(sample) + " out of range");
    by_sample[sample].push_back(q);
  }
  std::vector<arma::uword> samples;
  for (const auto& entry : by_sample) samples.push_back(entry.first);
  const arma::uword chunk = 256;
  arma::Mat<eT> v, hidden_input, p, visible_input, probabilities;
  for (arma::uword first = 0; first < samples.size(); first += chunk) {
    const arma::uword n = std::min<arma::uword>(chunk, samples.size() - first);
    const arma::uvec ids = arma::conv_to<arma::uvec>::from(
        std::vector<arma::uword>(samples.begin() + first, samples.begin() + first + n));
    known_.gather(ids, v);
    model_.hidden_input(v, hidden_input);
    model_.hidden().mean(hidden_input, p);  // mean-field: p_j = E[h_j | V]
    // Every group's conditional (Rbm::visible_input does not mark
    // unobserved groups: here they are exactly what is asked for).
    model_.visible_input(p, visible_input);
    model_.visible().mean(visible_input, probabilities);
    for (arma::uword c = 0; c < n; ++c)
      for (std::size_t q : by_sample[ids[c]]) {
        const arma::uword variable = item_based_ ? pairs[q].first : pairs[q].second;
        if (variable >= known_.n_variables)
          throw ContractError("RbmRecommender: variable " + std::to_string(variable) + " out of range");
        for (unsigned l = 0; l < k; ++l) out(l, q) = double(probabilities(variable * k + l, c));
      }
  }
  return out;
}

template <typename eT>
std::vector<double> RbmRecommender<eT>::expected_levels(
    const std::vector<std::pair<arma::uword, arma::uword>>& pairs) const {
  const arma::mat p = level_probabilities(pairs);
  std::vector<double> out(pairs.size());
  for (arma::uword q = 0; q < p.n_cols; ++q) {
    double e = 0;
    for (arma::uword l = 0; l < p.n_rows; ++l) e += double(l + 1) * p(l, q);
    out[q] = e;
  }
  return out;
}

template class RbmRecommender<float>;
template class RbmRecommender<double>;

}  // namespace ebm
