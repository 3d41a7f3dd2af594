// Extension point: a gradient estimator decides which chains supply the
// negative ("model") statistics and how far they run.
//
// CONTRACT
//   estimate(model, batch, gradient, rng):
//     gradient <- <d(-E)/dtheta>_data - <d(-E)/dtheta>_model, one matrix per
//     parameter in the order of model.parameters().  The data term comes
//     from model.positive_phase(batch); the model term from the estimator's
//     chains moved by its sampler.  All randomness comes from `rng`.
//   negative_state(): the chains used for the last model term (after the
//     sampler's Rao-Blackwellisation), for monitors and tests.
//   Everything that must survive a checkpoint (persistent chains, step
//   counters) is serialized; scratch is not.  Registration as for every
//   block (libebm/registry/register.hpp), with create(const BlockOptions&,
//   std::unique_ptr<Sampler<eT>>).
#pragma once

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <memory>
#include <string>

#include "libebm/config/block_options.hpp"

#include "libebm/model.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

template <typename eT>
class GradientEstimator {
 public:
  using Matrix = arma::Mat<eT>;

  explicit GradientEstimator(std::unique_ptr<Sampler<eT>> sampler) : sampler_(std::move(sampler)) {}
  virtual ~GradientEstimator() = default;

  virtual std::string type_name() const = 0;
  virtual void estimate(const Model<eT>& model, const Matrix& batch, Statistics<eT>& gradient, Rng& rng) = 0;

  const State<eT>& positive_state() const { return positive_; }
  const State<eT>& negative_state() const { return negative_; }
  Sampler<eT>& sampler() { return *sampler_; }
  /// The sampler, or null for estimators that do not sample (exact).
  const Sampler<eT>* sampler_if_any() const { return sampler_.get(); }

 protected:
  GradientEstimator() = default;  // for loading from an archive

  /// gradient <- statistics(positive_) - statistics(negative_).
  void difference(const Model<eT>& model, Statistics<eT>& gradient);

  std::unique_ptr<Sampler<eT>> sampler_;
  State<eT> positive_, negative_;
  Statistics<eT> negative_statistics_;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    ar& boost::serialization::make_nvp("sampler", sampler_);
  }
};

}  // namespace ebm
