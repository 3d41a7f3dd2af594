#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient) {
  const eT w = data_weight(positive_.layers.at(0).n_cols);
  model.statistics_difference(positive_, negative_, gradient, negative_statistics_, w, w);
}

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient, eT negative_weight) {
  model.statistics_difference(positive_, negative_, gradient, negative_statistics_,
                              data_weight(positive_.layers.at(0).n_cols), negative_weight);
}

template class GradientEstimator<float>;
template class GradientEstimator<double>;

}  // namespace ebm
