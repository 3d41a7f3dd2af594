// Damped mean-field inference for any layered model: the positive phase of
// models whose posterior p(latent | visible) does not factorise (a general
// Boltzmann machine with lateral couplings, a deep Boltzmann machine).
//
// The fully factorised approximation q(h) = prod_i q(h_i) that minimises
// KL(q || p(h | v)) satisfies the fixed-point equations
//     mu_l = mean_l( total_input_l(v, mu) )      for every latent layer l
// (for Bernoulli units mu = sigmoid(b + sum of messages from the other
// layers' means, including L mu from lateral couplings): Peterson & Anderson
// 1987; Salakhutdinov & Hinton 2009, section 2.2).  We iterate them layer by
// layer (each layer sees the newest means of the others) with damping,
//     mu_l <- damping * mu_l + (1 - damping) * mean_l(total_input_l),
// (the first sweep undamped), which keeps the parallel update of units joined by lateral couplings from
// oscillating, until the largest change of any mean is below `tolerance` or
// `max_iterations` sweeps have run.  Unit types are used only through
// Layer::mean and total inputs, so every unit type works.
#pragma once

#include "libebm/config/block_options.hpp"
#include "libebm/model.hpp"

namespace ebm {

struct MeanFieldOptions {
  double damping = 0.5;          ///< in [0, 1): weight of the previous means
  unsigned max_iterations = 50;  ///< sweeps over the latent layers, >= 1
  double tolerance = 1e-6;       ///< stop when max |change| of a mean < tolerance

  /// Declares mean_field_damping, mean_field_iterations and
  /// mean_field_tolerance on a model's section, with these defaults.
  static void declare(BlockOptions& options, const MeanFieldOptions& defaults);
  static MeanFieldOptions from(const BlockOptions& options);

  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& boost::serialization::make_nvp("damping", damping);
    ar& boost::serialization::make_nvp("max_iterations", max_iterations);
    ar& boost::serialization::make_nvp("tolerance", tolerance);
  }
};

/// Runs the damped fixed-point iteration on `state`: layers with
/// clamped[l] true are held; the others must hold their starting means
/// (any values of the right shape; zeros work).  Returns the number of
/// sweeps run.
template <typename eT>
unsigned mean_field(const Model<eT>& model, State<eT>& state, const std::vector<bool>& clamped,
                    const MeanFieldOptions& options);

/// The largest violation max |mu_l - mean_l(total_input_l(mu))| of the
/// fixed-point equations over the unclamped layers (for tests and monitors).
template <typename eT>
double mean_field_residual(const Model<eT>& model, const State<eT>& state, const std::vector<bool>& clamped);

}  // namespace ebm
