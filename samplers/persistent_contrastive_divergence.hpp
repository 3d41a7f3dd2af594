// PCD-k (Tieleman 2008, "Training restricted Boltzmann machines using
// approximations to the likelihood gradient"; Younes 1989): the negative
// chains ("fantasy particles") persist from one minibatch to the next and
// move k sampler steps per update.
#pragma once

#include "libebm/archive/class_version.hpp"
#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
class PersistentContrastiveDivergence : public GradientEstimator<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  /// n_chains == 0: as many chains as the first minibatch has samples.
  PersistentContrastiveDivergence(std::unique_ptr<Sampler<eT>> sampler, unsigned k, arma::uword n_chains = 0);

  static constexpr const char* name = "pcd";
  std::string type_name() const override { return name; }
  /// [pcd]: k, chains.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<PersistentContrastiveDivergence> create(const BlockOptions& options,
                                                                 std::unique_ptr<Sampler<eT>> sampler);
  unsigned k() const { return k_; }

  void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) override;

  /// Split over processes: each moves its column_shard of the chains;
  /// checkpoints hold them whole (join_shards before saving).
  void set_communicator(Communicator* communicator) override;
  void split_shards() override;
  void join_shards() override;

  /// The persistent chains themselves (sampled, not Rao-Blackwellised; this
  /// process's shard when split).
  const State<eT>& chains() const { return chains_; }
  State<eT>& chains() { return chains_; }

 private:
  friend class boost::serialization::access;
  PersistentContrastiveDivergence() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// This process's columns of the n_chains_ chains (all when not split).
  ColumnShard chain_shard() const;

  unsigned k_ = 1;
  arma::uword n_chains_ = 0;  ///< over all processes
  State<eT> chains_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::PersistentContrastiveDivergence, 0)
