// Extension point: an update rule turns a gradient estimate into a step.
//
// CONTRACT
//   apply(parameters, gradient, step):
//     gradient[i] is an estimate of d log p / d parameters[i] (an ASCENT
//     direction); the rule changes *parameters[i].value in place.  It may
//     keep per-parameter state (momentum, moments), created on first use
//     with the shapes of `parameters`; reset() forgets it.  Deterministic:
//     no randomness.  That state is serialized (checkpoints resume it
//     exactly).  Registration as for every block (register.hpp), with
//     create(const BlockOptions&).
//   apply_factored(parameters, gradient, step) (optional): the same step
//     from a gradient some of whose matrices are sums of outer products
//     (libebm/gradient_factors.hpp; the Trainer's usual path).  The
//     default materialises them and calls apply(); a rule overrides it to
//     fold the products into its own GEMMs (Sgd), and must then give the
//     step of apply() up to rounding.  It may overwrite `gradient`.
#pragma once

#include <boost/serialization/access.hpp>
#include <string>

#include "libebm/config/block_options.hpp"

#include "libebm/gradient_factors.hpp"
#include "libebm/parameter.hpp"

namespace ebm {

/// Where training stands when a step is taken.
struct StepContext {
  arma::uword epoch = 0;            ///< 0-based
  arma::uword step = 0;             ///< 0-based count of updates so far
  arma::uword epochs = 1;           ///< total planned
  arma::uword steps_per_epoch = 1;  ///< updates per epoch
  /// Fraction of the planned run completed, in [0, 1).
  double progress() const {
    const double total = double(epochs) * double(steps_per_epoch);
    return total > 0 ? double(step) / total : 0.0;
  }
};

template <typename eT>
class UpdateRule {
 public:
  virtual ~UpdateRule() = default;
  virtual std::string type_name() const = 0;
  virtual void apply(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const StepContext& step) = 0;
  virtual void reset() = 0;
  virtual void apply_factored(const ParameterList<eT>& parameters, FactoredGradient<eT>& gradient,
                              const StepContext& step) {
    gradient.materialise();
    apply(parameters, gradient.gradient, step);
  }

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive&, const unsigned int) {}
};

}  // namespace ebm
