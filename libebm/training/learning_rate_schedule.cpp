#include "libebm/training/learning_rate_schedule.hpp"

#include <cmath>

#include "libebm/error.hpp"

namespace ebm {

LearningRateSchedule::LearningRateSchedule(Kind kind, double learning_rate, double final_learning_rate, double decay)
    : kind_(kind), learning_rate_(learning_rate), final_learning_rate_(final_learning_rate), decay_(decay) {
  if (!(learning_rate > 0)) throw InputError("learning rate " + std::to_string(learning_rate) + " must be > 0");
  if (kind == Kind::exponential && !(final_learning_rate > 0))
    throw InputError("exponential schedule: final learning rate " + std::to_string(final_learning_rate) +
                     " must be > 0");
  if (final_learning_rate < 0) throw InputError("final learning rate must be >= 0");
  if (decay < 0) throw InputError("learning-rate decay must be >= 0");
}

LearningRateSchedule::Kind LearningRateSchedule::parse_kind(const std::string& name) {
  if (name == "constant") return Kind::constant;
  if (name == "linear") return Kind::linear;
  if (name == "exponential") return Kind::exponential;
  if (name == "inverse") return Kind::inverse;
  throw InputError("'" + name + "' is not a schedule; expected constant, linear, exponential or inverse");
}

std::string LearningRateSchedule::kind_name(Kind kind) {
  switch (kind) {
    case Kind::constant: return "constant";
    case Kind::linear: return "linear";
    case Kind::exponential: return "exponential";
    case Kind::inverse: return "inverse";
  }
  return "?";
}

double LearningRateSchedule::at(const StepContext& step) const {
  const double t = step.progress();
  switch (kind_) {
    case Kind::constant: return learning_rate_;
    case Kind::linear: return learning_rate_ + (final_learning_rate_ - learning_rate_) * t;
    case Kind::exponential: return learning_rate_ * std::pow(final_learning_rate_ / learning_rate_, t);
    case Kind::inverse: {
      const double epoch = double(step.step) / double(std::max<arma::uword>(step.steps_per_epoch, 1));
      return learning_rate_ / (1 + decay_ * epoch);
    }
  }
  return learning_rate_;
}

}  // namespace ebm
