#include "libebm/units/gaussian_layer.hpp"

#include <cmath>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
GaussianLayer<eT>::GaussianLayer(arma::uword size, double sigma, bool learn_sigma)
    : Layer<eT>(size), log_variance_(size, 1), learn_sigma_(learn_sigma) {
  if (!(sigma > 0) || !std::isfinite(sigma))
    throw InputError("gaussian units: sigma " + std::to_string(sigma) +
                     " (key 'gaussian.sigma'; expected a positive number)");
  log_variance_.fill(eT(2 * std::log(sigma)));
}

template <typename eT>
void GaussianLayer<eT>::declare_options(BlockOptions& o) {
  o.declare<double>("sigma", 1.0, "standard deviation of every unit (the start value when learn_sigma = true)",
                    "a number > 0", [](const double& s) { return s > 0 && std::isfinite(s); });
  o.declare<bool>("learn_sigma", false,
                  "learn each unit's variance through z = log sigma^2 (Cho, Ilin & Raiko 2011)", "true or false");
}

template <typename eT>
std::unique_ptr<GaussianLayer<eT>> GaussianLayer<eT>::create(const BlockOptions& o, arma::uword size) {
  return std::make_unique<GaussianLayer<eT>>(size, o.get<double>("sigma"), o.get<bool>("learn_sigma"));
}

template <typename eT>
void GaussianLayer<eT>::parameters(ParameterList<eT>& out, const std::string& prefix) {
  Layer<eT>::parameters(out, prefix);
  if (learn_sigma_) out.push_back({prefix + ".log_variance", &log_variance_, false});
}

template <typename eT>
void GaussianLayer<eT>::base_input(Matrix& input, arma::uword n_cols) const {
  input.set_size(this->size(), n_cols);
  input.each_col() = this->bias_.col(0) / variance().col(0);
}

template <typename eT>
void GaussianLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  out = input;
  out.each_col() %= variance().col(0);
}

template <typename eT>
void GaussianLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  // x = var * input + sd * noise, the noise drawn into `out` and combined in
  // place (no input-sized temporary per call); `out` must not be `input`.
  out.set_size(input.n_rows, input.n_cols);
  rng.fill_standard_normal(out);
  const arma::Col<eT> var = arma::exp(log_variance_.col(0)), sd = arma::sqrt(var);
  for (arma::uword c = 0; c < input.n_cols; ++c) {
    const eT* in = input.colptr(c);
    eT* o = out.colptr(c);
    for (arma::uword i = 0; i < input.n_rows; ++i) o[i] = in[i] * var[i] + o[i] * sd[i];
  }
}

template <typename eT>
arma::rowvec GaussianLayer<eT>::self_energy(const Matrix& x) const {
  const arma::mat xd = arma::conv_to<arma::mat>::from(x);
  const arma::vec b = arma::conv_to<arma::vec>::from(this->bias_), var = arma::exp(arma::conv_to<arma::vec>::from(log_variance_));
  arma::mat d = xd.each_col() - b;
  d.each_col() /= 2 * var;
  return arma::sum(d % (xd.each_col() - b), 0);
}

template <typename eT>
arma::rowvec GaussianLayer<eT>::log_partition(const Matrix& input) const {
  const arma::vec b = arma::conv_to<arma::vec>::from(this->bias_), z = arma::conv_to<arma::vec>::from(log_variance_);
  const arma::vec var = arma::exp(z);
  // The constant part: sum_i log sqrt(2 pi sigma_i^2) - b_i^2 / (2 sigma_i^2).
  const double constant = arma::accu(0.5 * (std::log(2 * arma::datum::pi) + z) - b % b / (2 * var));
  const arma::mat u = arma::conv_to<arma::mat>::from(input);
  arma::mat q = u % u;
  q.each_col() %= var / 2;
  return arma::sum(q, 0) + constant;
}

template <typename eT>
void GaussianLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  const Matrix var = variance();
  Matrix d = x.each_col() - this->bias_.col(0);
  d.each_col() /= var.col(0);  // (x - b) / sigma^2
  if (weights) out[0] = d * weights->t();
  else out[0] = arma::mean(d, 1);
  if (!learn_sigma_) return;
  Matrix e = x.each_col() - this->bias_.col(0);
  e = e % d / eT(2);  // (x - b)^2 / (2 sigma^2)
  if (weights) out[1] = e * weights->t();
  else out[1] = arma::mean(e, 1);
}

template <typename eT>
void GaussianLayer<eT>::initialize_from_data(const Matrix& data) {
  const arma::mat d = arma::conv_to<arma::mat>::from(data);
  this->bias_ = arma::conv_to<Matrix>::from(arma::mean(d, 1));
  if (learn_sigma_ && d.n_cols > 1)
    log_variance_ = arma::conv_to<Matrix>::from(arma::log(arma::clamp(arma::var(d, 1, 1), 1e-4, arma::datum::inf)));
}

template <typename eT>
template <class Archive>
void GaussianLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
  ar& boost::serialization::make_nvp("log_variance", log_variance_);
  ar& boost::serialization::make_nvp("learn_sigma", learn_sigma_);
  if (Archive::is_loading::value && (log_variance_.n_rows != this->bias_.n_rows || log_variance_.n_cols != 1))
    throw InputError("gaussian archive: log_variance has " + std::to_string(log_variance_.n_rows) + " rows, the bias " +
                     std::to_string(this->bias_.n_rows));
}

template class GaussianLayer<float>;
template class GaussianLayer<double>;

}  // namespace ebm

EBM_REGISTER(ebm::UnitsKind, ebm::GaussianLayer,
             "Gaussian units for real values, fixed or learned variance (z = log sigma^2)")
