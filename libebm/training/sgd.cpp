#include "libebm/training/sgd.hpp"

#include "libebm/error.hpp"

namespace ebm {

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
void Sgd<eT>::apply(const ParameterList<eT>& parameters, const Statistics<eT>& gradient, const StepContext& step) {
  if (gradient.size() != parameters.size())
    throw ContractError("Sgd::apply(): " + std::to_string(gradient.size()) + " gradients for " +
                        std::to_string(parameters.size()) + " parameters");
  if (velocity_.size() != parameters.size()) velocity_ = zeros_like(parameters);
  const eT lr = eT(options_.schedule.at(step));
  const eT momentum =
      eT(step.epoch < options_.momentum_warmup_epochs ? options_.initial_momentum : options_.momentum);
  const eT decay = eT(options_.weight_decay);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    arma::Mat<eT>& theta = *parameters[i].value;
    arma::Mat<eT>& v = velocity_[i];
    if (parameters[i].weight_decay && decay > 0) {
      v = momentum * v + lr * (gradient[i] - decay * theta);
    } else {
      v = momentum * v + lr * gradient[i];
    }
    theta += v;
  }
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace ebm
