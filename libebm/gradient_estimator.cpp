#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient) {
  model.statistics_difference(positive_, negative_, gradient, negative_statistics_);
}

template class GradientEstimator<float>;
template class GradientEstimator<double>;

}  // namespace ebm
