// One layer's RBM of DBM pretraining (models/dbm_pretraining.hpp): layers
// `lower` and `upper` joined by W, with the messages up and down scaled by
// fixed factors (1 or 2) for the weight-doubling correction of Salakhutdinov
// & Hinton 2009.  With both scales 1 it is an ordinary RBM.
//
// A scaled RBM stands for an RBM with a duplicated layer and tied weights;
// its energy() is the unscaled term -x^T W y, so no energy-based monitor
// applies to it.  What training uses -- total inputs for Gibbs sampling,
// the statistics x y^T, the positive phase E[upper | lower] -- follows the
// scaled messages.  Used only inside pretraining, never archived or named
// in a config.
#pragma once

#include <memory>

#include "libebm/connections/dense_connection.hpp"
#include "libebm/model.hpp"

namespace ebm {

/// A dense connection whose message to `to` is scaled by `up` and to `from`
/// by `down`.
template <typename eT>
class ScaledDenseConnection : public DenseConnection<eT> {
 public:
  using Matrix = typename DenseConnection<eT>::Matrix;
  ScaledDenseConnection(arma::uword n_from, arma::uword n_to, eT up, eT down)
      : DenseConnection<eT>(0, 1, n_from, n_to), up_(up), down_(down) {}
  std::string type_name() const override { return "scaled_dense"; }
  void add_message(arma::uword target, const Matrix& source, Matrix& input) const override {
    const eT scale = target == this->to() ? up_ : down_;
    if (scale == eT(1)) return DenseConnection<eT>::add_message(target, source, input);
    if (target == this->to())
      input += scale * (this->weights().t() * source);
    else
      input += scale * (this->weights() * source);
  }

 private:
  eT up_, down_;
};

template <typename eT>
class DbmLayerRbm : public Model<eT> {
 public:
  using Matrix = arma::Mat<eT>;
  DbmLayerRbm(std::unique_ptr<Layer<eT>> lower, std::unique_ptr<Layer<eT>> upper, eT up, eT down) {
    const arma::uword n0 = lower->size(), n1 = upper->size();
    this->add_layer(std::move(lower));
    this->add_layer(std::move(upper));
    auto w = std::make_unique<ScaledDenseConnection<eT>>(n0, n1, up, down);
    weights_ = w.get();
    this->add_connection(std::move(w));
  }
  std::string type_name() const override { return "dbm_layer_rbm"; }
  Matrix& weights() { return weights_->weights(); }

  /// state = {data, E[upper | data]} with the up-scaled message.
  void positive_phase(const Matrix& data, State<eT>& state) const override {
    state.layers.resize(2);
    state.layers[0] = data;
    Matrix input;
    this->total_input(1, state, input);  // reads layer 0 only
    this->layer(1).mean(input, state.layers[1]);
  }

 private:
  DenseConnection<eT>* weights_ = nullptr;
};

}  // namespace ebm
