#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient) {
  model.statistics(positive_, gradient);
  model.statistics(negative_, negative_statistics_);
  for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] -= negative_statistics_[i];
}

template class GradientEstimator<float>;
template class GradientEstimator<double>;

}  // namespace ebm
