#include "libebm/gradient_estimator.hpp"

namespace ebm {

template <typename eT>
void GradientEstimator<eT>::estimate_factored(const Model<eT>& model, const Matrix& batch, FactoredGradient<eT>& out,
                                              Rng& rng) {
  out.reset(out.gradient.size());
  if (!delivers_factors()) {
    estimate(model, batch, out.gradient, rng);
    return;
  }
  // Cleared again however estimate() leaves (it may throw).
  struct Clear {
    FactoredGradient<eT>*& target;
    ~Clear() { target = nullptr; }
  } clear{factored_};
  factored_ = &out;
  chains_in_blocks_ = false;
  estimate(model, batch, out.gradient, rng);
  out.in_column_blocks = chains_in_blocks_;
}

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient) {
  const eT w = data_weight(positive_.layers.at(0).n_cols);
  difference(model, gradient, w);
}

template <typename eT>
void GradientEstimator<eT>::difference(const Model<eT>& model, Statistics<eT>& gradient, eT negative_weight) {
  const eT positive_weight = data_weight(positive_.layers.at(0).n_cols);
  // Factors only into the gradient estimate_factored() asked for.
  if (factored_ && &factored_->gradient == &gradient)
    model.statistics_difference(positive_, negative_, *factored_, negative_statistics_, positive_weight,
                                negative_weight);
  else
    model.statistics_difference(positive_, negative_, gradient, negative_statistics_, positive_weight,
                                negative_weight);
}

template class GradientEstimator<float>;
template class GradientEstimator<double>;

}  // namespace ebm
