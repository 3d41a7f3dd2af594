// The variational lower bound on the data log-likelihood of a model whose
// posterior is approximated by mean field (a DBM; a BM with lateral
// couplings), Salakhutdinov & Hinton 2009, eq. (5):
//
//   log p(v) >= sum_h q(h) (-E(v, h)) + H(q) - log Z
//            =  -E(v, mu) + sum_latent units H(mu_i) - log Z
//
// with q = prod_i Bernoulli(mu_i) the model's positive phase (the
// mean-field fixed point).  The first form becomes the second because the
// energy is linear in each binary unit and has no self-coupling (lateral
// couplings have a zero diagonal).  log Z is exact by enumeration when the
// model is small enough (max_log2_states), otherwise by AIS from the
// base-rate model or along the couplings path (`path`;
// libebm/partition/annealed_importance_sampling.hpp: for a DBM the odd
// layers summed out analytically), with its +-3 sigma band carried into the
// bound, and by reverse AIS from
// held-out data (`reverse`: the bound with that log Z is the conservative
// end of the bracket, reverse_variational_bound_*).
//
// Requires latent layers with units in {0, 1} (Layer::is_binary()).  The
// monitor owns its generator, re-seeded at every measurement.
#pragma once

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"

namespace ebm {

template <typename eT>
class VariationalBound : public Monitor<eT> {
 public:
  VariationalBound() = default;

  static constexpr const char* name = "variational_bound";
  std::string type_name() const override { return name; }
  /// [variational_bound]: samples, max_log2_states, runs, path, schedule, seed, required, reverse,
  /// reverse_chains, reverse_clamped_steps.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<VariationalBound> create(const BlockOptions& options);

  void check_applies_to(const Model<eT>& model) const override;
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

  /// Per column of v: -E(v, mu) + H(mu) (the bound without -log Z).
  static arma::rowvec bound_without_log_z(const Model<eT>& model, const arma::Mat<eT>& v);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  std::uint64_t samples_ = 10000, runs_ = 100, seed_ = 1, reverse_chains_ = 100, reverse_clamped_steps_ = 100;
  bool reverse_ = true;
  unsigned max_log2_states_ = 20;
  std::string schedule_ = "0.5:500,0.9:4000,1:10000";
  std::string path_ = "both";  // annealing_paths()
};

}  // namespace ebm

// Version 1: reverse, reverse_chains, reverse_clamped_steps.  Version 2: path.
EBM_CLASS_VERSION(ebm::VariationalBound, 2)
