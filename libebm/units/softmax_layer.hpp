// Softmax (categorical) units: the layer is a sequence of groups of K units,
// and each group is one-hot -- one K-valued variable, e.g. a rating 1..K of
// one item (Salakhutdinov, Mnih & Hinton 2007, "Restricted Boltzmann
// machines for collaborative filtering") or a class label (Hinton, Osindero
// & Teh 2006).  Unit g*K + k is "group g takes state k" (states group-major,
// so a group is contiguous in a column).
//
//   self_energy(x)       = -b.x
//   p(x_g = e_k | input) = exp(input_gk) / sum_l exp(input_gl)
//   log_partition(input) = sum_g log sum_k exp(input_gk)
//
// Missing entries (option `missing = true`): a group that is all zeros is
// unobserved -- a user's unrated item.  As in Salakhutdinov et al., each
// sample then has its own model over only its observed groups (all of them
// sharing the weights): an unobserved group adds nothing to the energy, the
// messages, the statistics or the gradient, and samplers never fill it.
// The mechanism: Model::total_input() calls mark_unobserved() with the
// layer's current state, which sets the input of every unobserved group to
// NaN; mean(), sample() and log_partition() give such a group zeros (and
// contribute 0), so the group stays all zeros through every chain.  Data
// with missing entries is kept sparse elsewhere (libebm/data/ratings.hpp);
// only a minibatch is expanded to this dense one-hot form.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class SoftmaxLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;

  /// `states` units per group (0: the whole layer is one group); `size`
  /// must be a multiple of it (InputError otherwise).
  SoftmaxLayer(arma::uword size, arma::uword states, bool missing = false);

  static constexpr const char* name = "softmax";
  std::string type_name() const override { return name; }
  /// [softmax]: states (K, 0 = one group), missing (all-zero groups are unobserved).
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<SoftmaxLayer> create(const BlockOptions& options, arma::uword size);

  arma::uword states_per_group() const { return k_; }
  arma::uword n_groups() const { return this->size() / k_; }
  bool missing_entries() const { return missing_; }

  void mean(const Matrix& input, Matrix& out) const override;
  /// One uniform per group (also for unobserved groups, so the stream does
  /// not depend on which entries are missing).
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;
  /// With `missing`: input <- NaN in every group that x leaves all zero.
  void mark_unobserved(const Matrix& x, Matrix& input) const override;
  bool has_missing_entries() const override { return missing_; }

  // One-hot groups are 0/1 but flipping a single unit leaves the state
  // space, so the pseudo-likelihood (which flips one unit) does not apply.
  bool is_binary() const override { return false; }
  /// K^groups when at most 2^62, else 0.
  arma::uword state_count() const override;
  /// State s: group g takes state digit g of s in base K, least significant first.
  void states(arma::uword first, arma::uword count, Matrix& out) const override;
  /// b_gk = log of the frequency of state k of group g among the samples
  /// that observe group g, clamped to >= 1e-3 (Hinton 2010, "A practical
  /// guide to training RBMs", section 8.1, for softmax units).
  void initialize_from_data(const Matrix& data) override;

 private:
  friend class boost::serialization::access;
  SoftmaxLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// o[0..K) <- the softmax of one observed group's inputs u[0..K).
  void group_mean(const eT* u, eT* o) const;

  arma::uword k_ = 1;
  bool missing_ = false;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::SoftmaxLayer, 0)
