#include "libebm/connections/lateral_connection.hpp"

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
LateralConnection<eT>::LateralConnection(arma::uword layer, arma::uword n)
    : Connection<eT>(layer, layer), weights_(n, n, arma::fill::zeros) {}

template <typename eT>
std::unique_ptr<LateralConnection<eT>> LateralConnection<eT>::create(const BlockOptions&, arma::uword from,
                                                                     arma::uword to, arma::uword n_from,
                                                                     arma::uword n_to) {
  if (from != to || n_from != n_to)
    throw ContractError("LateralConnection: joins a layer to itself (got layers " + std::to_string(from) + " and " +
                        std::to_string(to) + ")");
  return std::make_unique<LateralConnection<eT>>(from, n_from);
}

template <typename eT>
void LateralConnection<eT>::set_weights(const Matrix& w) {
  if (w.n_rows != weights_.n_rows || w.n_cols != weights_.n_cols)
    throw ContractError("LateralConnection::set_weights(): expected a " + std::to_string(weights_.n_rows) + "x" +
                        std::to_string(weights_.n_cols) + " matrix");
  weights_ = (w + w.t()) * eT(0.5);
  weights_.diag().zeros();
}

template <typename eT>
void LateralConnection<eT>::parameters(ParameterList<eT>& out, const std::string& prefix) {
  out.push_back({prefix + ".weights", &weights_, true});
}

template <typename eT>
void LateralConnection<eT>::add_message(arma::uword target, const Matrix& source, Matrix& input) const {
  if (target != this->from()) throw ContractError("LateralConnection::add_message(): not this connection's layer");
  input += weights_ * source;
}

template <typename eT>
arma::rowvec LateralConnection<eT>::energy(const Matrix& x, const Matrix&) const {
  const arma::mat a = arma::conv_to<arma::mat>::from(x);
  const arma::mat l = arma::conv_to<arma::mat>::from(weights_);
  return -0.5 * arma::sum(a % (l * a), 0);
}

template <typename eT>
void LateralConnection<eT>::statistics(const Matrix& x, const Matrix&, const arma::Row<eT>* weights,
                                       Matrix* out) const {
  Matrix s;
  if (weights) {
    Matrix weighted = x;
    weighted.each_row() %= *weights;
    s = weighted * x.t();
  } else {
    s = x * x.t() / eT(x.n_cols);
  }
  // Exactly symmetric (a + b == b + a in floating point) with a zero
  // diagonal, so that updates keep L a valid lateral coupling.
  out[0] = (s + s.t()) * eT(0.5);
  out[0].diag().zeros();
}

template <typename eT>
void LateralConnection<eT>::initialize(Rng& rng, double stddev) {
  Matrix w(weights_.n_rows, weights_.n_cols);
  rng.fill_normal(w, 0.0, stddev);
  // Keep the upper triangle as drawn: entries still have standard deviation
  // `stddev`, as for a dense connection.
  weights_ = arma::trimatu(w, 1) + arma::trimatu(w, 1).t();
}

template <typename eT>
template <class Archive>
void LateralConnection<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("connection", boost::serialization::base_object<Connection<eT>>(*this));
  ar& boost::serialization::make_nvp("weights", weights_);
  if (Archive::is_loading::value && weights_.n_rows == weights_.n_cols) {
    // A crafted or damaged archive must not yield an invalid coupling.
    if (!weights_.is_symmetric() || arma::any(weights_.diag() != eT(0)))
      throw InputError("lateral connection: the stored couplings are not symmetric with a zero diagonal");
  }
}

template class LateralConnection<float>;
template class LateralConnection<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ConnectionKind, ebm::LateralConnection,
             "symmetric couplings inside one layer, zero diagonal (general Boltzmann machines)")
