#include "libebm/partition/bipartite_enumeration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libebm/error.hpp"

namespace ebm {

namespace {

struct Split {
  std::vector<arma::uword> enumerated, summed;
  double log2_states = -1;
};

template <typename eT>
void sort_enumerated(const Model<eT>& model, Split& s) {
  std::stable_sort(s.enumerated.begin(), s.enumerated.end(), [&](arma::uword a, arma::uword b) {
    return model.layer(a).state_count() < model.layer(b).state_count();
  });
}

// Any split whose summed class B has no connection inside it (so its layers
// are independent given the rest): tried over every subset of the layers,
// which are few.  Layer 0 is never summed when clamped (it is held fixed)
// and then costs no states.
template <typename eT>
Split general_split(const Model<eT>& model, bool clamped) {
  Split best;
  const arma::uword n = model.n_layers();
  if (n > 20) return best;
  for (arma::uword mask = 0; mask < (arma::uword(1) << n); ++mask) {
    auto in_b = [&](arma::uword l) { return ((mask >> l) & 1u) != 0; };
    if (clamped && in_b(0)) continue;
    bool independent = true;
    for (arma::uword c = 0; c < model.n_connections() && independent; ++c)
      if (in_b(model.connection(c).from()) && in_b(model.connection(c).to())) independent = false;
    if (!independent) continue;
    Split s;
    s.log2_states = 0;
    bool enumerable = true;
    for (arma::uword l = 0; l < n; ++l) {
      if (in_b(l)) {
        s.summed.push_back(l);
      } else if (!(clamped && l == 0)) {
        const arma::uword count = model.layer(l).state_count();
        if (count == 0) enumerable = false;
        else s.log2_states += std::log2(double(count));
        s.enumerated.push_back(l);
      }
    }
    if (!enumerable) continue;
    sort_enumerated(model, s);
    if (best.log2_states < 0 || s.log2_states < best.log2_states) best = s;
  }
  return best;
}

template <typename eT>
Split best_split(const Model<eT>& model, bool clamped = false) {
  Split best;
  const std::vector<int> colour = model.bipartite_colouring();
  if (colour.empty() || clamped) return general_split(model, clamped);
  for (int c = 0; c < 2; ++c) {
    Split s;
    s.log2_states = 0;
    bool enumerable = true;
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      if (colour[l] != c) {
        s.summed.push_back(l);
        continue;
      }
      const arma::uword n = model.layer(l).state_count();
      if (n == 0) enumerable = false;
      else s.log2_states += std::log2(double(n));
      s.enumerated.push_back(l);
    }
    if (!enumerable) continue;
    sort_enumerated(model, s);
    if (best.log2_states < 0 || s.log2_states < best.log2_states) best = s;
  }
  return best;
}

}  // namespace

template <typename eT>
double BipartiteEnumeration<eT>::cost(const Model<eT>& model, bool clamped) {
  return best_split(model, clamped).log2_states;
}

template <typename eT>
BipartiteEnumeration<eT>::BipartiteEnumeration(const Model<eT>& model, unsigned max_log2_states,
                                               const arma::Mat<eT>& clamped_visible)
    : model_(model), clamped_(true), clamped_visible_(clamped_visible) {
  if (clamped_visible.n_cols != 1 || clamped_visible.n_rows != model.n_visible())
    throw ContractError("exact enumeration: the clamped visible configuration must be one column of " +
                        std::to_string(model.n_visible()) + " values");
  choose_split(max_log2_states);
}

template <typename eT>
BipartiteEnumeration<eT>::BipartiteEnumeration(const Model<eT>& model, unsigned max_log2_states) : model_(model) {
  choose_split(max_log2_states);
}

template <typename eT>
void BipartiteEnumeration<eT>::choose_split(unsigned max_log2_states) {
  Split s = best_split(model_, clamped_);
  if (s.log2_states < 0)
    throw ContractError("exact enumeration: model '" + model_.type_name() + "' has no " +
                        (clamped_ ? "split of its latent layers" : "bipartite split of its layers") +
                        " with an enumerable side");
  if (s.log2_states > max_log2_states + 1e-9)
    throw ContractError("exact enumeration: needs 2^" + std::to_string(s.log2_states) +
                        " states, more than the limit 2^" + std::to_string(max_log2_states));
  enumerated_ = std::move(s.enumerated);
  summed_ = std::move(s.summed);
  std::vector<bool> in_a(model_.n_layers(), true);
  for (arma::uword l : summed_) in_a[l] = false;
  for (arma::uword c = 0; c < model_.n_connections(); ++c)
    if (in_a[model_.connection(c).from()] && in_a[model_.connection(c).to()]) internal_.push_back(c);
}

template <typename eT>
void BipartiteEnumeration<eT>::for_each_block(
    const std::function<void(const State<eT>&, const arma::rowvec&)>& visit, bool with_means) const {
  const Model<eT>& model = model_;
  // Outer layers of A are visited one joint state at a time; the innermost
  // (largest) layer in contiguous blocks of columns.
  const bool any = !enumerated_.empty();
  const arma::uword inner = any ? enumerated_.back() : 0;
  const arma::uword inner_count = any ? model.layer(inner).state_count() : 1;
  arma::uword outer_count = 1;
  for (std::size_t i = 0; i + 1 < enumerated_.size(); ++i) outer_count *= model.layer(enumerated_[i]).state_count();
  const arma::uword block = std::min<arma::uword>(inner_count, 4096);

  State<eT> state;
  state.layers.resize(model.n_layers());
  arma::Mat<eT> one;
  std::vector<arma::Mat<eT>> inputs(model.n_layers());
  for (arma::uword o = 0; o < outer_count; ++o) {
    for (arma::uword first = 0; first < inner_count; first += block) {
      const arma::uword count = std::min(block, inner_count - first);
      arma::uword rest = o;  // mixed-radix digits of o give the outer layers' states
      for (std::size_t i = 0; i + 1 < enumerated_.size(); ++i) {
        const arma::uword l = enumerated_[i];
        const arma::uword n = model.layer(l).state_count();
        model.layer(l).states(rest % n, 1, one);
        rest /= n;
        state.layers[l] = arma::repmat(one, 1, count);
      }
      if (any) model.layer(inner).states(first, count, state.layers[inner]);
      if (clamped_) state.layers[0] = arma::repmat(clamped_visible_, 1, count);
      // Placeholder states of the summed layers: ones, not zeros, because a
      // layer's current state says which of its units are observed
      // (Layer::mark_unobserved; an all-zero softmax group is missing) and
      // a layer summed out has every unit present.
      for (arma::uword l : summed_) state.layers[l].ones(model.layer(l).size(), count);

      arma::rowvec log_w(count, arma::fill::zeros);
      for (arma::uword l : enumerated_) log_w -= model.layer(l).self_energy(state.layers[l]);
      if (clamped_) log_w -= model.layer(0).self_energy(state.layers[0]);
      // Non-bipartite splits: the couplings inside A (lateral ones, and those
      // between A and the clamped layer).
      for (arma::uword c : internal_) {
        const Connection<eT>& con = model.connection(c);
        const Layer<eT>& a = model.layer(con.from());
        const Layer<eT>& b = model.layer(con.to());
        if (a.interaction_is_identity() && b.interaction_is_identity()) {
          log_w -= con.energy(state.layers[con.from()], state.layers[con.to()]);
        } else {
          arma::Mat<eT> ia, ib;
          a.interaction(state.layers[con.from()], ia);
          b.interaction(state.layers[con.to()], ib);
          log_w -= con.energy(ia, ib);
        }
      }
      // Inputs to B depend on A only (no connection inside B), so compute
      // them all first.
      for (arma::uword l : summed_) model.total_input(l, state, inputs[l]);
      for (arma::uword l : summed_) {
        log_w += model.layer(l).log_partition(inputs[l]);
        if (with_means) model.layer(l).mean(inputs[l], state.layers[l]);
      }
      visit(state, log_w);
    }
  }
}

template <typename eT>
double BipartiteEnumeration<eT>::log_partition() const {
  double running_max = -std::numeric_limits<double>::infinity();
  double running_sum = 0;  // sum of exp(log_w - running_max)
  for_each_block([&](const State<eT>&, const arma::rowvec& log_w) {
    const double m = log_w.max();
    if (m > running_max) {
      running_sum *= std::exp(running_max - m);
      running_max = m;
    }
    running_sum += arma::accu(arma::exp(log_w - running_max));
  }, false);
  return running_max + std::log(running_sum);
}

template class BipartiteEnumeration<float>;
template class BipartiteEnumeration<double>;

}  // namespace ebm
