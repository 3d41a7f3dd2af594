// A dense weight matrix W (size of from-layer x size of to-layer) between
// two different layers.
#pragma once

#include "libebm/connections/connection.hpp"

namespace ebm {

template <typename eT>
class DenseConnection : public Connection<eT> {
 public:
  using Matrix = typename Connection<eT>::Matrix;

  DenseConnection(arma::uword from, arma::uword to, arma::uword n_from, arma::uword n_to);

  static constexpr const char* name = "dense";
  std::string type_name() const override { return name; }

  Matrix& weights() { return weights_; }
  const Matrix& weights() const { return weights_; }

  void parameters(ParameterList<eT>& out, const std::string& prefix) override;
  arma::uword n_parameters() const override { return 1; }
  void add_message(arma::uword target, const Matrix& source, Matrix& input) const override;
  arma::rowvec energy(const Matrix& x_from, const Matrix& x_to) const override;
  void statistics(const Matrix& x_from, const Matrix& x_to, const arma::Row<eT>* weights,
                  Matrix* out) const override;
  void initialize(Rng& rng, double stddev) override;

 private:
  Matrix weights_;
};

}  // namespace ebm
