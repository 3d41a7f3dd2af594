#include "libebm/monitors/reconstruction_error.hpp"

namespace ebm {

template <typename eT>
double ReconstructionError<eT>::error(const Model<eT>& model, const arma::Mat<eT>& v) {
  State<eT> state;
  model.positive_phase(v, state);
  arma::Mat<eT> input, reconstruction;
  model.total_input(0, state, input);
  model.layer(0).mean(input, reconstruction);
  return arma::accu(arma::square(arma::conv_to<arma::mat>::from(v) - arma::conv_to<arma::mat>::from(reconstruction))) /
         double(v.n_elem);
}

template <typename eT>
void ReconstructionError<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  arma::Mat<eT> scratch;
  out.emplace_back("reconstruction_error_train", error(model, leading_columns(*data.train, max_samples_, scratch)));
  if (data.test) out.emplace_back("reconstruction_error_test", error(model, leading_columns(*data.test, max_samples_, scratch)));
}

template class ReconstructionError<float>;
template class ReconstructionError<double>;

}  // namespace ebm
