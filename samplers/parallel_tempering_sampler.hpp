// Parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer 1991)
// for models with a bipartite layer graph, as used to train RBMs by
// Desjardins, Courville, Bengio, Vincent & Delalleau 2010 ("Tempered Markov
// chain Monte Carlo for training of restricted Boltzmann machines").
//
// Each chain (column) has replicas at inverse temperatures
// 1 = beta_0 > beta_1 > ... > beta_{M-1} = min_beta, with p_beta(x) ∝
// exp(-beta E(x)).  One step moves every replica by block Gibbs at its
// temperature (total inputs scaled by beta, exact for unit types whose
// energy is linear in their natural parameters: Bernoulli, spin), then
// proposes to swap the states of neighbouring temperatures (even pairs on
// even steps, odd pairs on odd steps), accepted with probability
// min(1, exp((beta_m - beta_{m+1}) (E(x_m) - E(x_{m+1})))).  The state the
// caller sees is the beta = 1 replica; the hotter replicas are the
// sampler's own state and persist between calls (and in checkpoints).
#pragma once

#include <memory>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

template <typename eT>
class ParallelTemperingSampler : public Sampler<eT> {
 public:
  /// `temperatures` replicas per chain, beta spaced linearly from 1 down to
  /// min_beta.
  explicit ParallelTemperingSampler(arma::uword temperatures = 10, double min_beta = 0.1);

  static constexpr const char* name = "parallel_tempering";
  std::string type_name() const override { return name; }
  /// [parallel_tempering]: temperatures, min_beta.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<ParallelTemperingSampler> create(const BlockOptions& options);

  void initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains, Rng& rng) override;
  void run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) override;
  /// Colour-1 layers of the beta = 1 replica <- their conditional means.
  void rao_blackwellize(const Model<eT>& model, State<eT>& state) override;
  /// The replicas at the other temperatures are its own state per chain.
  bool keeps_chain_state() const override { return true; }

  const std::vector<double>& betas() const { return betas_; }
  /// Accepted / proposed swaps between temperatures m and m+1, since the start.
  std::vector<double> swap_rates() const;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  void gibbs_step(const Model<eT>& model, State<eT>& state, double beta, Rng& rng);
  void ensure_replicas(const Model<eT>& model, arma::uword n_chains, Rng& rng);

  std::vector<double> betas_;
  std::vector<State<eT>> hot_;  // replicas at betas_[1..]
  std::vector<double> accepted_, proposed_;
  std::uint64_t steps_ = 0;
  arma::Mat<eT> input_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::ParallelTemperingSampler, 0)
