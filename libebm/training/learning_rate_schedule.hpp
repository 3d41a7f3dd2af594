// How the learning rate changes over a run.
//
//   constant:     lr
//   linear:       from lr to final_lr linearly over the planned run
//   exponential:  from lr to final_lr geometrically over the planned run
//   inverse:      lr / (1 + decay * epoch)   (epoch counted fractionally)
#pragma once

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>
#include <string>

#include "libebm/training/update_rule.hpp"

namespace ebm {

class LearningRateSchedule {
 public:
  enum class Kind { constant, linear, exponential, inverse };

  LearningRateSchedule() = default;
  LearningRateSchedule(Kind kind, double learning_rate, double final_learning_rate = 0, double decay = 0);

  /// Parses "constant" | "linear" | "exponential" | "inverse"; throws
  /// InputError naming the accepted values otherwise.
  static Kind parse_kind(const std::string& name);
  static std::string kind_name(Kind kind);

  double at(const StepContext& step) const;

  Kind kind() const { return kind_; }
  double learning_rate() const { return learning_rate_; }

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int /*version*/) {
    int kind = int(kind_);
    ar& boost::serialization::make_nvp("kind", kind);
    kind_ = Kind(kind);
    ar& boost::serialization::make_nvp("learning_rate", learning_rate_);
    ar& boost::serialization::make_nvp("final_learning_rate", final_learning_rate_);
    ar& boost::serialization::make_nvp("decay", decay_);
  }

  Kind kind_ = Kind::constant;
  double learning_rate_ = 0.01;
  double final_learning_rate_ = 0;
  double decay_ = 0;
};

}  // namespace ebm
