// Pseudo-log-likelihood (Besag 1975) of binary visible data, in nats per
// sample:  PL(v) = sum_i log p(v_i | v_-i),  with
//   log p(v_i | v_-i) = -softplus(F(v) - F(v with unit i flipped)).
// Every unit is flipped (no single-unit estimate scaled by the number of
// units, whose variance grows with the number of features), so the cost is
// one free-energy evaluation of the batch per visible unit: keep
// max_samples modest for large models.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"

namespace ebm {

template <typename eT>
class PseudoLikelihood : public Monitor<eT> {
 public:
  explicit PseudoLikelihood(arma::uword max_samples = 0) : max_samples_(max_samples) {}
  static constexpr const char* name = "pseudo_likelihood";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<PseudoLikelihood> create(const BlockOptions& options);
  void check_applies_to(const Model<eT>& model) const override;
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

  /// Per column, sum_i log p(v_i | v_-i).
  static arma::rowvec pseudo_log_likelihood(const Model<eT>& model, const arma::Mat<eT>& v);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  arma::uword max_samples_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::PseudoLikelihood, 0)
