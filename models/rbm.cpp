#include "models/rbm.hpp"

namespace ebm {

template <typename eT>
Rbm<eT>::Rbm(std::unique_ptr<Layer<eT>> visible, std::unique_ptr<Layer<eT>> hidden) {
  const arma::uword nv = visible->size(), nh = hidden->size();
  this->add_layer(std::move(visible));
  this->add_layer(std::move(hidden));
  auto w = std::make_unique<DenseConnection<eT>>(0, 1, nv, nh);
  weights_ = w.get();
  this->add_connection(std::move(w));
}

template <typename eT>
void Rbm<eT>::hidden_input(const Matrix& v, Matrix& input) const {
  hidden().base_input(input, v.n_cols);
  if (visible().interaction_is_identity()) {
    weights_->add_message(1, v, input);
  } else {
    Matrix iv;
    visible().interaction(v, iv);
    weights_->add_message(1, iv, input);
  }
}

template <typename eT>
void Rbm<eT>::visible_input(const Matrix& h, Matrix& input) const {
  visible().base_input(input, h.n_cols);
  if (hidden().interaction_is_identity()) {
    weights_->add_message(0, h, input);
  } else {
    Matrix ih;
    hidden().interaction(h, ih);
    weights_->add_message(0, ih, input);
  }
}

template <typename eT>
void Rbm<eT>::positive_phase(const Matrix& data, State<eT>& state) const {
  state.layers.resize(2);
  state.layers[0] = data;
  Matrix input;
  hidden_input(data, input);
  hidden().mean(input, state.layers[1]);
}

template <typename eT>
arma::rowvec Rbm<eT>::free_energy(const Matrix& v) const {
  Matrix input;
  hidden_input(v, input);
  return visible().self_energy(v) - hidden().log_partition(input);
}

template <typename eT>
arma::rowvec Rbm<eT>::hidden_free_energy(const Matrix& h) const {
  Matrix input;
  visible_input(h, input);
  return hidden().self_energy(h) - visible().log_partition(input);
}

template class Rbm<float>;
template class Rbm<double>;

}  // namespace ebm
