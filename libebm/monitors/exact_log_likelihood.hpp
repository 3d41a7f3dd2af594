// Exact average log-likelihood log p(v) = -F(v) - log Z in nats per sample,
// with log Z by enumeration (exact_log_partition): for an RBM whose smaller
// layer has up to about 25 binary units this is a true number, not an
// estimate.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/monitor.hpp"

namespace ebm {

template <typename eT>
class ExactLogLikelihood : public Monitor<eT> {
 public:
  explicit ExactLogLikelihood(arma::uword max_samples = 0, unsigned max_log2_states = 25)
      : max_samples_(max_samples), max_log2_states_(max_log2_states) {}
  static constexpr const char* name = "exact_log_likelihood";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<ExactLogLikelihood> create(const BlockOptions& options);
  /// false: skip (with a note) instead of failing when the model is too large.
  bool required() const { return required_; }
  void check_applies_to(const Model<eT>& model) const override;
  void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) override;

  /// Mean over the columns of v of log p(v), given log Z.
  static double mean_log_likelihood(const Model<eT>& model, const arma::Mat<eT>& v, double log_partition);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  arma::uword max_samples_;
  unsigned max_log2_states_;
  bool required_ = true;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::ExactLogLikelihood, 0)
