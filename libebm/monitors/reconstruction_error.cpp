#include "libebm/monitors/reconstruction_error.hpp"

#include <algorithm>

#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
double ReconstructionError<eT>::error(const Model<eT>& model, const arma::Mat<eT>& v) {
  // Blocks of columns bound the scratch memory (a latent state and a
  // reconstruction of one block) whatever the data size; the squared errors
  // are summed in double.
  constexpr arma::uword block = 1000;
  State<eT> state;
  arma::Mat<eT> input, reconstruction;
  double sum = 0;
  for (arma::uword first = 0; first < v.n_cols; first += block) {
    const arma::uword last = std::min(v.n_cols, first + block) - 1;
    const arma::Mat<eT> data(const_cast<eT*>(v.colptr(first)), v.n_rows, last - first + 1, false, true);
    model.positive_phase(data, state);
    model.total_input(0, state, input);
    model.layer(0).mean(input, reconstruction);
    const eT* x = data.memptr();
    const eT* r = reconstruction.memptr();
    for (arma::uword i = 0; i < data.n_elem; ++i) {
      const double d = double(x[i]) - double(r[i]);
      sum += d * d;
    }
  }
  return sum / double(v.n_elem);
}

template <typename eT>
void ReconstructionError<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  arma::Mat<eT> scratch;
  out.emplace_back("reconstruction_error_train", error(model, leading_columns(*data.train, max_samples_, scratch)));
  if (data.test) out.emplace_back("reconstruction_error_test", error(model, leading_columns(*data.test, max_samples_, scratch)));
}

template <typename eT>
void ReconstructionError<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("samples", 10000, "use the first N samples of each data set (0: all)", "an integer >= 0");
}

template <typename eT>
std::unique_ptr<ReconstructionError<eT>> ReconstructionError<eT>::create(const BlockOptions& o) {
  return std::make_unique<ReconstructionError<eT>>(o.get<std::uint64_t>("samples"));
}

template <typename eT>
template <class Archive>
void ReconstructionError<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  std::uint64_t samples = max_samples_;
  ar& boost::serialization::make_nvp("samples", samples);
  max_samples_ = samples;
}

template class ReconstructionError<float>;
template class ReconstructionError<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::ReconstructionError, "mean squared reconstruction error per visible unit")
