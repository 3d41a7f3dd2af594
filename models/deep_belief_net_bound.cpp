#include "models/deep_belief_net_bound.hpp"

#include <algorithm>

#include "libebm/error.hpp"

namespace ebm {

namespace {

/// input <- total input of layer `target` of level k (2k: the level's
/// visible layer, 2k+1: its hidden layer) given the other layer's state x:
/// its base input plus the level's message, as DeepBeliefNet::up/down
/// compute it before taking a mean or a sample.
template <typename eT>
void level_input(const DeepBeliefNet<eT>& dbn, arma::uword k, arma::uword target, const arma::Mat<eT>& x,
                 arma::Mat<eT>& input) {
  const Layer<eT>& source = dbn.layer(target == 2 * k ? 2 * k + 1 : 2 * k);
  dbn.layer(target).base_input(input, x.n_cols);
  if (source.interaction_is_identity()) {
    dbn.connection(k).add_message(target, x, input);
  } else {
    arma::Mat<eT> ix;
    source.interaction(x, ix);
    dbn.connection(k).add_message(target, ix, input);
  }
}

/// Cases per block: bounds the draws x units held at once (about 10^7
/// values per layer for 500 units) whatever the data size.
arma::uword block_cases(arma::uword draws) { return std::max<arma::uword>(1, 20000 / draws); }

}  // namespace

template <typename eT>
DbnBoundEstimate dbn_bound_without_log_z(const DeepBeliefNet<eT>& dbn, const arma::Mat<eT>& v, arma::uword draws,
                                         Rng& rng) {
  if (draws == 0) throw ContractError("dbn_bound_without_log_z(): at least one draw of the up pass per case");
  if (v.n_rows != dbn.n_visible())
    throw ContractError("dbn_bound_without_log_z(): " + std::to_string(v.n_rows) + " rows, the net has " +
                        std::to_string(dbn.n_visible()) + " visible units");
  const arma::uword levels = dbn.n_levels(), top = levels - 1;
  // One level alone is an RBM: the value is -F(v), with nothing to draw.
  if (levels == 1) draws = 1;
  DbnBoundEstimate out;
  out.mean.zeros(v.n_cols);
  out.variance.zeros(v.n_cols);
  out.draws = draws;
  arma::Mat<eT> x, next, up, down;
  const arma::uword block = block_cases(draws);
  for (arma::uword first = 0; first < v.n_cols; first += block) {
    const arma::uword n = std::min(block, v.n_cols - first);
    // Column s * n + j is draw s of case first + j.
    x = arma::repmat(v.cols(first, first + n - 1), 1, draws);
    arma::rowvec value(x.n_cols, arma::fill::zeros);
    for (arma::uword k = 0; k < top; ++k) {
      level_input(dbn, k, 2 * k + 1, x, up);
      dbn.layer(2 * k + 1).sample(up, next, rng);
      level_input(dbn, k, 2 * k, next, down);
      // log p(x_k | x_{k+1}) - log q(x_{k+1} | x_k), the level's energy cancelled.
      value += dbn.layer(2 * k + 1).self_energy(next) - dbn.layer(2 * k).self_energy(x) +
               dbn.layer(2 * k + 1).log_partition(up) - dbn.layer(2 * k).log_partition(down);
      x.swap(next);
    }
    // -F_top(x_{L-1}) = -self(x_{L-1}) + log_partition_hidden(input given x_{L-1}).
    level_input(dbn, top, 2 * top + 1, x, up);
    value += dbn.layer(2 * top + 1).log_partition(up) - dbn.layer(2 * top).self_energy(x);
    const arma::mat per_case = arma::reshape(arma::mat(value), n, draws);  // row j: the draws of case j
    out.mean.cols(first, first + n - 1) = arma::mean(per_case, 1).t();
    if (draws > 1) out.variance.cols(first, first + n - 1) = arma::var(per_case, 0, 1).t();
  }
  return out;
}

template <typename eT>
arma::Mat<eT> dbn_top_data(const DeepBeliefNet<eT>& dbn, const arma::Mat<eT>& v, Rng* rng) {
  arma::Mat<eT> x = v, next;
  for (arma::uword k = 0; k + 1 < dbn.n_levels(); ++k) {
    dbn.up(k, x, next, rng);
    x.swap(next);
  }
  return x;
}

template DbnBoundEstimate dbn_bound_without_log_z<float>(const DeepBeliefNet<float>&, const arma::Mat<float>&,
                                                         arma::uword, Rng&);
template DbnBoundEstimate dbn_bound_without_log_z<double>(const DeepBeliefNet<double>&, const arma::Mat<double>&,
                                                          arma::uword, Rng&);
template arma::Mat<float> dbn_top_data<float>(const DeepBeliefNet<float>&, const arma::Mat<float>&, Rng*);
template arma::Mat<double> dbn_top_data<double>(const DeepBeliefNet<double>&, const arma::Mat<double>&, Rng*);

}  // namespace ebm
