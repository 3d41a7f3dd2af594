#include "libebm/training/sgd.hpp"

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

namespace {

// velocity <- momentum * velocity + lr * (gradient - decay * theta);
// theta += velocity: one vectorised pass over the three matrices, in the
// order of operations of the formula (so the same numbers as the
// expression-template version it replaced).
EBM_VECTOR_CLONES void sgd_step(float* theta, float* v, const float* g, std::size_t n, float lr, float momentum,
                                float decay) {
  if (decay > 0) {
    for (std::size_t i = 0; i < n; ++i) v[i] = momentum * v[i] + lr * (g[i] - decay * theta[i]), theta[i] += v[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) v[i] = momentum * v[i] + lr * g[i], theta[i] += v[i];
  }
}

EBM_VECTOR_CLONES void sgd_step(double* theta, double* v, const double* g, std::size_t n, double lr,
                                double momentum, double decay) {
  if (decay > 0) {
    for (std::size_t i = 0; i < n; ++i) v[i] = momentum * v[i] + lr * (g[i] - decay * theta[i]), theta[i] += v[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) v[i] = momentum * v[i] + lr * g[i], theta[i] += v[i];
  }
}

// velocity -= shrink * theta (when shrink > 0); theta += velocity: the rest
// of a step whose gradient the GEMMs already put into the velocity.
EBM_VECTOR_CLONES void decay_and_add(float* theta, float* v, std::size_t n, float shrink) {
  if (shrink > 0) {
    for (std::size_t i = 0; i < n; ++i) v[i] -= shrink * theta[i], theta[i] += v[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) theta[i] += v[i];
  }
}

EBM_VECTOR_CLONES void decay_and_add(double* theta, double* v, std::size_t n, double shrink) {
  if (shrink > 0) {
    for (std::size_t i = 0; i < n; ++i) v[i] -= shrink * theta[i], theta[i] += v[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) theta[i] += v[i];
  }
}

}  // namespace

template <typename eT>
Sgd<eT>::Sgd(const SgdOptions& options) : options_(options) {
  if (options.momentum < 0 || options.momentum >= 1)
    throw InputError("momentum " + std::to_string(options.momentum) + " must be in [0, 1)");
  if (options.initial_momentum < 0 || options.initial_momentum >= 1)
    throw InputError("initial momentum " + std::to_string(options.initial_momentum) + " must be in [0, 1)");
  if (options.weight_decay < 0)
    throw InputError("weight decay " + std::to_string(options.weight_decay) + " must be >= 0");
}

template <typename eT>
void Sgd<eT>::prepare(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const char* caller) {
  if (gradient.size() != parameters.size())
    throw ContractError(std::string(caller) + ": " + std::to_string(gradient.size()) + " gradients for " +
                        std::to_string(parameters.size()) + " parameters");
  if (velocity_.size() != parameters.size()) velocity_ = zeros_like(parameters);
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (velocity_[i].n_elem != parameters[i].value->n_elem)
      throw ContractError(std::string(caller) + ": the velocity of " + parameters[i].name + " has " +
                          std::to_string(velocity_[i].n_elem) + " elements, the parameter " +
                          std::to_string(parameters[i].value->n_elem));
}

template <typename eT>
eT Sgd<eT>::momentum_at(const StepContext& step) const {
  return eT(step.epoch < options_.momentum_warmup_epochs ? options_.initial_momentum : options_.momentum);
}

template <typename eT>
void Sgd<eT>::step_parameter(const Parameter<eT>& parameter, arma::Mat<eT>& v, const arma::Mat<eT>& gradient,
                             eT lr, eT momentum, eT decay, const char* caller) const {
  arma::Mat<eT>& theta = *parameter.value;
  if (gradient.n_elem != theta.n_elem)
    throw ContractError(std::string(caller) + ": gradient of " + parameter.name + " has " + std::to_string(gradient.n_elem) +
                        " elements, the parameter " + std::to_string(theta.n_elem));
  const eT parameter_decay = parameter.weight_decay ? decay : eT(0);
  eT* t = theta.memptr();
  eT* vp = v.memptr();
  const eT* g = gradient.memptr();
  // Elementwise: chunks may run on any thread with the same result.
  for_each_chunk(theta.n_elem, [&](std::size_t first, std::size_t count) {
    sgd_step(t + first, vp + first, g + first, count, lr, momentum, parameter_decay);
  });
}

template <typename eT>
void Sgd<eT>::apply(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const StepContext& step) {
  prepare(parameters, gradient, "Sgd::apply()");
  const eT lr = eT(options_.schedule.at(step));
  const eT momentum = momentum_at(step);
  const eT decay = eT(options_.weight_decay);
  for (std::size_t i = 0; i < parameters.size(); ++i)
    step_parameter(parameters[i], velocity_[i], gradient[i], lr, momentum, decay, "Sgd::apply()");
}

template <typename eT>
void Sgd<eT>::apply_factored(const ParameterList<eT>& parameters, FactoredGradient<eT>& gradient,
                             const StepContext& step) {
  prepare(parameters, gradient.gradient, "Sgd::apply_factored()");
  const eT lr = eT(options_.schedule.at(step));
  const eT momentum = momentum_at(step);
  const eT decay = eT(options_.weight_decay);
  const bool without_velocity = momentum_always_zero();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!gradient.is_factored(i)) {
      step_parameter(parameters[i], velocity_[i], gradient.gradient[i], lr, momentum, decay, "Sgd::apply_factored()");
      continue;
    }
    arma::Mat<eT>& theta = *parameters[i].value;
    const eT parameter_decay = parameters[i].weight_decay ? decay : eT(0);
    if (without_velocity) {
      // theta <- (1 - lr wd) theta + lr * gradient, inside the GEMMs.
      gradient.accumulate_joined(i, lr, eT(1) - lr * parameter_decay, theta, join_left_, join_right_);
      continue;
    }
    // velocity <- momentum * velocity + lr * gradient inside the GEMMs, then
    // velocity -= lr wd theta and theta += velocity in one pass.
    arma::Mat<eT>& v = velocity_[i];
    gradient.accumulate_joined(i, lr, momentum, v, join_left_, join_right_);
    eT* t = theta.memptr();
    eT* vp = v.memptr();
    const eT shrink = lr * parameter_decay;
    for_each_chunk(theta.n_elem, [&](std::size_t first, std::size_t count) {
      decay_and_add(t + first, vp + first, count, shrink);
    });
  }
}

template <typename eT>
void Sgd<eT>::declare_options(BlockOptions& o) {
  o.declare<double>("learning_rate", 0.01, "initial learning rate", "a number > 0", [](const double& x) { return x > 0; });
  o.declare<std::string>("schedule", "constant", "learning-rate schedule", "constant, linear, exponential or inverse",
                         [](const std::string& s) {
                           return s == "constant" || s == "linear" || s == "exponential" || s == "inverse";
                         });
  o.declare<double>("final_learning_rate", 0.001, "learning rate at the end of the run (linear, exponential)",
                    "a number > 0", [](const double& x) { return x > 0; });
  o.declare<double>("decay", 0.0, "inverse schedule: lr / (1 + decay * epoch)", "a number >= 0",
                    [](const double& x) { return x >= 0; });
  o.declare<double>("momentum", 0.9, "momentum after the warm-up", "a number in [0, 1)",
                    [](const double& x) { return x >= 0 && x < 1; });
  o.declare<double>("initial_momentum", 0.5, "momentum during the warm-up", "a number in [0, 1)",
                    [](const double& x) { return x >= 0 && x < 1; });
  o.declare<std::uint64_t>("momentum_warmup_epochs", 5, "epochs that use initial_momentum", "an integer >= 0");
  o.declare<double>("weight_decay", 0.0002, "L2 penalty on the weights (not the biases)", "a number >= 0",
                    [](const double& x) { return x >= 0; });
}

template <typename eT>
std::unique_ptr<Sgd<eT>> Sgd<eT>::create(const BlockOptions& o) {
  SgdOptions s;
  s.schedule = LearningRateSchedule(LearningRateSchedule::parse_kind(o.get<std::string>("schedule")),
                                    o.get<double>("learning_rate"), o.get<double>("final_learning_rate"),
                                    o.get<double>("decay"));
  s.momentum = o.get<double>("momentum");
  s.initial_momentum = o.get<double>("initial_momentum");
  s.momentum_warmup_epochs = o.get<std::uint64_t>("momentum_warmup_epochs");
  s.weight_decay = o.get<double>("weight_decay");
  return std::make_unique<Sgd<eT>>(s);
}

template <typename eT>
template <class Archive>
void Sgd<eT>::serialize(Archive& ar, const unsigned int) {
  using boost::serialization::make_nvp;
  ar& make_nvp("update_rule", boost::serialization::base_object<UpdateRule<eT>>(*this));
  std::uint64_t warmup = options_.momentum_warmup_epochs;
  ar& make_nvp("schedule", options_.schedule);
  ar& make_nvp("momentum", options_.momentum);
  ar& make_nvp("initial_momentum", options_.initial_momentum);
  ar& make_nvp("momentum_warmup_epochs", warmup);
  ar& make_nvp("weight_decay", options_.weight_decay);
  options_.momentum_warmup_epochs = warmup;
  ar& make_nvp("velocity", velocity_);  // momentum state: a checkpoint resumes it exactly
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UpdateKind, ebm::Sgd, "stochastic gradient ascent with momentum and weight decay")
