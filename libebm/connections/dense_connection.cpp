#include "libebm/connections/dense_connection.hpp"

#include "libebm/error.hpp"
#include "libebm/gemm.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
DenseConnection<eT>::DenseConnection(arma::uword from, arma::uword to, arma::uword n_from, arma::uword n_to)
    : Connection<eT>(from, to), weights_(n_from, n_to, arma::fill::zeros) {
  if (from == to) throw ContractError("DenseConnection: from and to must be different layers (got " + std::to_string(from) + ")");
}

template <typename eT>
void DenseConnection<eT>::parameters(ParameterList<eT>& out, const std::string& prefix) {
  out.push_back({prefix + ".weights", &weights_, true});
}

template <typename eT>
void DenseConnection<eT>::add_message(arma::uword target, const Matrix& source, Matrix& input) const {
  // Single GEMMs with beta = 1 onto the base input already in `input`;
  // BLAS reads W^T in place (libebm/gemm.hpp).
  if (target == this->to()) {
    gemm(true, false, eT(1), weights_, source, eT(1), input);  // W^T x_from
  } else {
    gemm(false, false, eT(1), weights_, source, eT(1), input);  // W x_to
  }
}

template <typename eT>
arma::rowvec DenseConnection<eT>::energy(const Matrix& x_from, const Matrix& x_to) const {
  const arma::mat a = arma::conv_to<arma::mat>::from(x_from);
  const arma::mat b = arma::conv_to<arma::mat>::from(x_to);
  const arma::mat w = arma::conv_to<arma::mat>::from(weights_);
  return -arma::sum(a % (w * b), 0);
}

template <typename eT>
void DenseConnection<eT>::statistics(const Matrix& x_from, const Matrix& x_to, const arma::Row<eT>* weights,
                                     Matrix* out) const {
  if (weights) {
    Matrix weighted = x_from;
    weighted.each_row() %= *weights;
    out[0] = weighted * x_to.t();
  } else {
    // The batch mean in the GEMM's alpha: no second pass over W's size.
    gemm(false, true, eT(1) / eT(x_from.n_cols), x_from, x_to, eT(0), out[0]);
  }
}

template <typename eT>
void DenseConnection<eT>::add_statistics(const Matrix& x_from, const Matrix& x_to, eT alpha, Matrix& out) const {
  if (out.n_rows != weights_.n_rows || out.n_cols != weights_.n_cols || x_from.n_cols != x_to.n_cols)
    throw ContractError("DenseConnection::add_statistics(): shapes do not match the weights");
  gemm(false, true, alpha, x_from, x_to, eT(1), out);
}

template <typename eT>
void DenseConnection<eT>::initialize(Rng& rng, double stddev) {
  rng.fill_normal(weights_, 0.0, stddev);
}

template <typename eT>
template <class Archive>
void DenseConnection<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("connection", boost::serialization::base_object<Connection<eT>>(*this));
  ar& boost::serialization::make_nvp("weights", weights_);
}

template class DenseConnection<float>;
template class DenseConnection<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ConnectionKind, ebm::DenseConnection, "dense weights between two layers")
