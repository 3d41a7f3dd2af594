// The variational lower bound on the log-likelihood of a deep belief net
// (Salakhutdinov & Murray 2008, "On the quantitative analysis of deep belief
// networks", section 5; Hinton, Osindero & Teh 2006, the bound that greedy
// training raises).
//
// A DBN with L levels generates x_{L-1} from its top RBM (marginal p_top)
// and then p(x_k | x_{k+1}) down to the data x_0 = v.  Its recognition
// model, the up pass q(x_{k+1} | x_k) of the lower levels, gives for any v
//
//   log p(v) >= E_q[ sum_{k=0}^{L-2} (log p(x_k | x_{k+1}) - log q(x_{k+1} | x_k))
//                    + log p_top(x_{L-1}) ]
//            =  E_q[ sum_k (...) - F_top(x_{L-1}) ] - log Z_top
//
// (Jensen's inequality on log sum_x q(x | v) p(v, x) / q(x | v); equality
// when q is the true posterior).  The expectation is estimated by drawing
// the up pass; log Z_top by AIS on the top RBM (the `ais` monitor does both,
// libebm/monitors/ais_log_likelihood.hpp).  With L = 1 the net is an RBM and
// the "bound" is log p(v) itself (no sampling).
//
// Each level's two conditionals share its energy E_k(x_k, x_{k+1}), so their
// log ratio needs no energy at all:
//
//   log p(x_k | x_{k+1}) - log q(x_{k+1} | x_k)
//     = self_{k+1}(x_{k+1}) - self_k(x_k)
//       + log_partition_{k+1}(up input) - log_partition_k(down input)
//
// with self_* the level's layers' self-energies and log_partition_* their
// log-partitions given the total input from the other layer of the level
// (libebm/units/layer.hpp), so the estimate holds for every unit type.
#pragma once

#include <armadillo>

#include "libebm/random.hpp"
#include "models/deep_belief_net.hpp"

namespace ebm {

/// Per column of the data: the Monte-Carlo estimate of the bound without
/// -log Z_top, and the sample variance of the per-draw values it averages.
struct DbnBoundEstimate {
  arma::rowvec mean;      ///< per case: mean over the draws of the up pass
  arma::rowvec variance;  ///< per case: sample variance over the draws (0 with one draw or L = 1)
  arma::uword draws = 0;  ///< draws of the up pass per case
};

/// The bound above without -log Z_top, per column of `v` (x_0, one case per
/// column), each from `draws` independent samples of the up pass x_1 ..
/// x_{L-1} ~ q drawn from `rng`.  Works through the cases in blocks, so
/// memory stays bounded for any data set.  ContractError for draws == 0 or
/// rows of v other than the net's visible size.
template <typename eT>
DbnBoundEstimate dbn_bound_without_log_z(const DeepBeliefNet<eT>& dbn, const arma::Mat<eT>& v, arma::uword draws,
                                         Rng& rng);

/// x_{L-1} for each column of `v`: the up pass through the L-1 lower levels,
/// sampled (with `rng`) or as means (without).  The top RBM's data: its
/// base-rate model is fitted to the means, reverse AIS starts at samples.
template <typename eT>
arma::Mat<eT> dbn_top_data(const DeepBeliefNet<eT>& dbn, const arma::Mat<eT>& v, Rng* rng = nullptr);

}  // namespace ebm
