// PCD-k (Tieleman 2008, "Training restricted Boltzmann machines using
// approximations to the likelihood gradient"; Younes 1989): the negative
// chains ("fantasy particles") persist from one minibatch to the next and
// move k sampler steps per update.
//
// Data with missing entries (issue 4; Salakhutdinov, Mnih & Hinton 2007):
// each training case has its own model over its observed units, so a
// fantasy particle shared by all cases samples the wrong distribution.  With
// per-case chains (`per_case`, on by default when the visible layer has
// missing entries) every training case owns one chain, which moves only when
// its case is in the minibatch: the chain's visible layer is set from the
// case's data (only its observed set matters, because the sampler redraws the
// visible layer first: Sampler::redraws_visible_first), its latent layers are
// the case's persistent state.  A step is then a block Gibbs step of the
// case's own sub-model, so each chain is a valid Markov chain for it, and
// the model term is that of the observed-entries likelihood.  Only the latent
// layers persist (n_hidden x n_cases), never users x items x K.  A case's
// chain starts, at its first visit, where CD's would: at its data with the
// latent layers drawn given it.
#pragma once

#include <cstdint>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class PersistentContrastiveDivergence : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  /// Whether chains are tied to training cases: auto = exactly when the
  /// model's visible layer has missing entries.
  enum class PerCase : std::uint64_t { automatic = 0, yes = 1, no = 2 };

  /// n_chains == 0: as many chains as the first minibatch has samples
  /// (shared chains only; per-case chains are one per training case).
  PersistentContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k, arma::uword n_chains = 0,
                                  PerCase per_case = PerCase::automatic);

  static constexpr const char* name = "pcd";
  std::string type_name() const override { return name; }
  /// [pcd]: k, chains, per_case.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<PersistentContrastiveDivergence> create(const BlockOptions& options,
                                                                 std::unique_ptr<Sampler<eT>> sampler);
  unsigned k() const { return k_; }

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;
  /// estimate() ends with difference(): dense weight terms can stay factors.
  bool delivers_factors() const override { return true; }

  /// Split over processes: each moves its column_shard of the chains;
  /// checkpoints hold them whole (join_shards before saving).
  void set_communicator(Communicator* communicator) override;
  void split_shards() override;
  void join_shards() override;

  /// The persistent chains themselves (sampled, not Rao-Blackwellised; this
  /// process's shard when split).
  const State<eT>& chains() const { return chains_; }
  State<eT>& chains() { return chains_; }
  /// Per-case chains: layer l >= 1 holds column c = training case c's latent
  /// state (layer 0 stays empty: it comes from the data); empty otherwise.
  const State<eT>& case_chains() const { return case_chains_; }
  /// Per-case chains: 1 for the cases whose chain has started.
  const std::vector<std::uint64_t>& started_cases() const { return started_; }
  /// Whether estimate() keeps per-case chains for this model.
  bool uses_case_chains(const Model<eT>& model) const;

 private:
  friend class boost::serialization::access;
  PersistentContrastiveDivergence() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// This process's columns of the n_chains_ chains (all when not split).
  ColumnShard chain_shard() const;
  /// estimate() with one chain per training case (see the file comment).
  void estimate_per_case(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng);

  unsigned k_ = 1;
  arma::uword n_chains_ = 0;  ///< over all processes
  PerCase per_case_ = PerCase::automatic;
  State<eT> chains_;
  // Per-case chains: whole on every process (each process writes back the
  // whole minibatch's columns after every step), so nothing to split.
  State<eT> case_chains_;
  std::vector<std::uint64_t> started_;
  State<eT> batch_chains_, start_;  ///< scratch
  Matrix input_;                    ///< scratch
};

}  // namespace ebm

// 1: per_case, the per-case chains and their started flags.
EBM_CLASS_VERSION(ebm::PersistentContrastiveDivergence, 1)
