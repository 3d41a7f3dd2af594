// log Z of a model with a bipartite layer graph (an RBM of any unit types;
// a DBM of any depth, its odd layers summed out as in Salakhutdinov & Hinton
// 2009, section 4) by annealed
// importance sampling (Neal 2001), as used for RBMs by Salakhutdinov &
// Murray 2008 ("On the quantitative analysis of deep belief networks"), and
// by reverse AIS started from data (Burda, Grosse & Salakhutdinov 2015;
// as in PyDeep), which together bracket the log-likelihood -- for RBMs and,
// with the even hidden layers started from p(h | v), for DBMs.
//
// The hidden layer is summed out analytically; chains move over the visible
// layer.  With a base model A of the visible unit type (its parameters from
// the data marginals: Layer::initialize_from_data, the "base-rate model")
// and the model B, the intermediate distributions are
//
//   log f_beta(v) = -(1 - beta) self_A(v) - beta self_B(v)
//                   + log_partition_h(beta * input_h(v))
//
// with f_0 = Z_A p_A(v) (log Z_0 = log_partition_A + log_partition_h(0)) and
// f_1 = exp(-F_B(v)).  Transitions are block Gibbs at beta:
// h ~ p(h | beta * input_h(v)), v ~ p(v | (1 - beta) base_A + beta * input_v(h)).
// Tempering the total inputs tempers the energy exactly when the unit
// types' energies are linear in their natural parameters (Bernoulli, spin,
// binomial with its base measure untempered).
//
// A second path, AnnealingPath::couplings, keeps every layer's own terms
// (biases, self-energies) and tempers only the couplings:
//
//   log f_beta(x) = -sum_l self_l(x_l) - beta * sum_c E_c(x)     (joint form)
//
// from p_0 = the model with its couplings removed (independent units, each
// with its own bias; log Z_0 = sum_l log_partition_l(bias input)) to the
// model.  It is exact for every unit type (only the couplings' linear
// messages are scaled) and reaches different modes: the base-rate path
// switches the latent biases on with beta, so a model whose mass sits where
// large hidden biases point can be missed by it and found by this one, and
// the other way round (docs/benchmarks.md, "The 20-hidden-unit RBMs").  Each
// is a stochastic lower bound on log Z; ais_log_partition_on_paths runs
// several and keeps the largest (the monitors' default).
//
// Weights are accumulated in log space in double.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libebm/model.hpp"
#include "libebm/random.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

/// Which family of intermediate distributions AIS anneals through.
enum class AnnealingPath {
  base_rate,  ///< Salakhutdinov & Murray 2008: from the `base` visible layer (data marginals), everything tempered
  couplings,  ///< from the model without its couplings (own biases kept), only the couplings tempered; `base` unused
};

/// The paths named by the AIS monitors' `path` value: "base_rate",
/// "couplings" or "both" (both, base_rate first); throws InputError naming
/// the value otherwise.
std::vector<AnnealingPath> annealing_paths(const std::string& name);
const char* annealing_path_name(AnnealingPath path);

/// An estimate of log Z with its uncertainty over the runs.  The band is
/// log(Z_hat -+ 3 sigma_hat) where sigma_hat is the standard error of the
/// mean importance weight (Salakhutdinov & Murray 2008); the lower end is
/// -inf when 3 sigma_hat exceeds Z_hat.
struct LogPartitionEstimate {
  double log_z = 0;
  double log_z_minus_3sigma = 0;
  double log_z_plus_3sigma = 0;
  double standard_error = 0;  ///< of log Z, by the delta method: sigma_hat / Z_hat
  arma::uword runs = 0;
  arma::uword temperatures = 0;
};

/// The inverse temperatures 0 = beta_0 < ... < beta_K = 1 from a spec
/// "0.5:500,0.9:4000,1:10000": 500 steps evenly up to 0.5, then 4000 up to
/// 0.9, then 10000 up to 1 (the schedule of Salakhutdinov & Murray 2008,
/// 14,500 temperatures).  Throws InputError naming the spec when malformed.
std::vector<double> annealing_schedule(const std::string& spec);

/// Forward AIS from the base model: a stochastic lower bound on log Z in
/// expectation (so the log-likelihood from it tends to be too high).
/// Any layer graph (for lateral couplings, layers with lateral couplings
/// are annealed with tempered sequential Gibbs), layer 0 visible; `base` is a visible
/// layer of the same unit type (its base input defines p_A).  Chains move
/// over the visible layer's colour class (the even layers of a DBM; the
/// other layers of that class start uniform), the other class is summed
/// out.  Tempering is exact for unit types whose energy is linear in their
/// natural parameters (Bernoulli, spin) on the base-rate path, for every
/// unit type on the couplings path (`base` is then only checked for type
/// and size: pass model.layer(0)).
template <typename eT>
LogPartitionEstimate ais_log_partition(const Model<eT>& model, const Layer<eT>& base,
                                       const std::vector<double>& betas, arma::uword runs, Rng& rng,
                                       AnnealingPath path = AnnealingPath::base_rate);

/// Forward AIS along each of `paths` in turn (one generator), keeping the
/// estimate with the largest log Z.  Each run is a stochastic lower bound
/// (E[Z_hat] = Z, so P(log Z_hat > log Z + t) <= e^-t by Markov's
/// inequality); the largest of n keeps P(> log Z + t) <= n e^-t, and a path
/// that misses a mode no longer decides the answer.
struct PathEstimates {
  LogPartitionEstimate best;
  AnnealingPath best_path = AnnealingPath::base_rate;
  std::vector<std::pair<AnnealingPath, LogPartitionEstimate>> each;  ///< in the order of `paths`
};
template <typename eT>
PathEstimates ais_log_partition_on_paths(const Model<eT>& model, const Layer<eT>& base,
                                         const std::vector<double>& betas, arma::uword runs, Rng& rng,
                                         const std::vector<AnnealingPath>& paths);

/// Reverse AIS: chains start at `start` (one configuration of the visible
/// layer per column; data, as approximate model samples) and anneal down to
/// the base model.  Any model ais_log_partition accepts: latent layers that
/// move with the visible layer (a DBM's even hidden layers, laterally
/// coupled hidden layers) start from p(latent | v), approximately: the
/// model's positive phase, then `clamped_steps` Gibbs steps with v clamped
/// (unused for two-layer models, whose hidden layer is summed out).  With
/// exact model samples it is a stochastic upper bound on log Z (E[1/Z_hat]
/// = 1/Z), so the log-likelihood from it is conservative.
template <typename eT>
LogPartitionEstimate reverse_ais_log_partition(const Model<eT>& model, const Layer<eT>& base,
                                               const std::vector<double>& betas, const arma::Mat<eT>& start, Rng& rng,
                                               arma::uword clamped_steps = 100,
                                               AnnealingPath path = AnnealingPath::base_rate);

}  // namespace ebm
