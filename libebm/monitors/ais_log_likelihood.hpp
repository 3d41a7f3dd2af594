// The log-likelihood of a model too large to enumerate, from log Z
// estimated by AIS (with its +-3 sigma band) and by reverse AIS started
// from data, so the result is a bracket rather than a single guess
// (Salakhutdinov & Murray 2008; Burda, Grosse & Salakhutdinov 2015).
//
// For a deep belief net (L >= 2 levels) it reports the variational lower
// bound of Salakhutdinov & Murray 2008 (section 5) instead: E_q[...] over
// `dbn_draws` draws of the up pass per sample (models/deep_belief_net_bound.hpp)
// minus log Z of the top RBM, by AIS with its +-3 sigma band and by reverse
// AIS started at sampled up passes of the held-out data; keys
// ais_log_likelihood_bound_{train,test}[_minus_3sd|_plus_3sd],
// reverse_ais_log_likelihood_bound_*, and ais_bound_sampling_error_* (the
// standard error of the Monte-Carlo average over samples and draws).  A DBM
// or BM reports its bound through the `variational_bound` monitor.
//
// AIS walks two paths by default (`path = both`) and reports the larger log
// Z, each path's own as ais_base_rate_log_z / ais_couplings_log_z: from the
// base-rate model of the training data (the visible unit type with
// parameters from the data marginals; Salakhutdinov & Murray 2008) and from
// the model without its couplings (every layer keeps its biases; only the
// couplings are tempered).  Each finds modes the other misses
// (libebm/partition/annealed_importance_sampling.hpp, docs/benchmarks.md);
// reverse AIS follows the path that gave the larger estimate.  The monitor owns its
// generator, re-seeded at every measurement, so it never disturbs the
// training run and numbers from different epochs are comparable.
#pragma once

#include <memory>
#include <string>

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"

namespace ebm {

template <typename eT>
class DeepBeliefNet;

/// The `path` option of the AIS monitors (ais, variational_bound):
/// base_rate, couplings or both (the default).
void declare_annealing_path_option(BlockOptions& options);

/// With more than one annealing path, each path's log Z as
/// ais_<path>_log_z (the monitors' reported ais_log_z is the largest).
void report_paths(const PathEstimates& paths, Measurements& out);

template <typename eT>
class AisLogLikelihood : public Monitor<eT> {
 public:
  AisLogLikelihood() = default;

  static constexpr const char* name = "ais";
  std::string type_name() const override { return name; }
  /// [ais]: runs, path, schedule, reverse, reverse_chains, samples, seed, dbn_draws.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<AisLogLikelihood> create(const BlockOptions& options);

  void check_applies_to(const Model<eT>& model) const override;
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
  void measure_dbn(const DeepBeliefNet<eT>& dbn, const MonitorData<eT>& data, Measurements& out);

  std::uint64_t runs_ = 100, reverse_chains_ = 100, samples_ = 10000, seed_ = 1, dbn_draws_ = 10;
  std::string schedule_ = "0.5:500,0.9:4000,1:10000";
  bool reverse_ = true;
  std::string path_ = "both";  // annealing_paths()
};

}  // namespace ebm

// Version 1: dbn_draws.  Version 2: path.
EBM_CLASS_VERSION(ebm::AisLogLikelihood, 2)
