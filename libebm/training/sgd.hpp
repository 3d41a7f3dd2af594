// Stochastic gradient ascent with momentum and L2 weight decay.
//
//   velocity <- momentum * velocity + lr(t) * (gradient - weight_decay * theta)
//   theta    <- theta + velocity
//
// A gradient left as outer products (libebm/gradient_factors.hpp: a dense
// connection's weight term) is folded into the GEMMs themselves:
//   momentum 0 throughout the run: theta <- (1 - lr wd) theta + lr * sum
//     alpha_t L_t R_t^T, one GEMM over the joined factors (k = 2B for CD's
//     two terms) accumulating into theta (BLAS's beta does the
//     decay; with wd = 0, beta = 1 and BLAS skips the scaling pass), no
//     velocity kept (it would be multiplied by 0) -- it stays zero;
//   otherwise: velocity <- momentum * velocity + lr * sum alpha_t L_t R_t^T
//     by the joined GEMM (beta = momentum), then one pass velocity -= lr wd theta,
//     theta += velocity.
// Both equal the formula above up to the rounding of a reordered sum.
// Weight decay applies only to parameters marked for it (weights, not
// biases).  Momentum ramps from initial_momentum to momentum after
// momentum_warmup_epochs, as recommended in Hinton 2010, "A practical guide
// to training restricted Boltzmann machines", section 9.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/training/learning_rate_schedule.hpp"
#include "libebm/training/update_rule.hpp"

namespace ebm {

struct SgdOptions {
  LearningRateSchedule schedule;
  double momentum = 0.0;
  double initial_momentum = 0.0;
  arma::uword momentum_warmup_epochs = 0;
  double weight_decay = 0.0;
};

template <typename eT>
class Sgd : public UpdateRule<eT> {
 public:
  explicit Sgd(const SgdOptions& options);

  static constexpr const char* name = "sgd";
  std::string type_name() const override { return name; }
  /// [sgd]: learning_rate, schedule, final_learning_rate, decay, momentum,
  /// initial_momentum, momentum_warmup_epochs, weight_decay.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<Sgd> create(const BlockOptions& options);

  void apply(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const StepContext& step) override;
  /// The factored weight terms go into the GEMMs (see above); the other
  /// parameters take the step of apply().
  void apply_factored(const ParameterList<eT>& parameters, FactoredGradient<eT>& gradient,
                      const StepContext& step) override;
  void reset() override { velocity_.clear(); }

  const SgdOptions& options() const { return options_; }
  const Statistics<eT>& velocity() const { return velocity_; }

 private:
  friend class boost::serialization::access;
  Sgd() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// The momentum of this step (initial_momentum during the warm-up).
  eT momentum_at(const StepContext& step) const;
  /// Checks the shapes and creates the velocity on first use.
  void prepare(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const char* caller);
  /// The materialised step of parameter i (one fused pass); `caller` names
  /// the public function in errors.
  void step_parameter(const Parameter<eT>& parameter, arma::Mat<eT>& velocity, const arma::Mat<eT>& gradient,
                      eT lr, eT momentum, eT decay, const char* caller) const;
  /// Whether every step of the run has momentum 0 (the velocity is then
  /// never read).
  bool momentum_always_zero() const {
    return options_.momentum == 0 && (options_.initial_momentum == 0 || options_.momentum_warmup_epochs == 0);
  }

  SgdOptions options_;
  Statistics<eT> velocity_;
  // Scratch of apply_factored (FactoredGradient::accumulate_joined): the
  // joined factors, reused from step to step; not state.
  arma::Mat<eT> join_left_, join_right_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::Sgd, 0)
