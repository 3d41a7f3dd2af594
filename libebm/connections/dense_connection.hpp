// A dense weight matrix W (size of from-layer x size of to-layer) between
// two different layers.
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/connection.hpp"

namespace ebm {

template <typename eT>
class DenseConnection : public Connection<eT> {
 public:
  using Matrix = typename Connection<eT>::Matrix;

  DenseConnection(arma::uword from, arma::uword to, arma::uword n_from, arma::uword n_to);

  static constexpr const char* name = "dense";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<DenseConnection> create(const BlockOptions&, arma::uword from, arma::uword to,
                                                 arma::uword n_from, arma::uword n_to) {
    return std::make_unique<DenseConnection>(from, to, n_from, n_to);
  }

  Matrix& weights() { return weights_; }
  const Matrix& weights() const { return weights_; }

  void parameters(ParameterList<eT>& out, const std::string& prefix) override;
  arma::uword n_parameters() const override { return 1; }
  void add_message(arma::uword target, const Matrix& source, Matrix& input) const override;
  arma::rowvec energy(const Matrix& x_from, const Matrix& x_to) const override;
  void statistics(const Matrix& x_from, const Matrix& x_to, const arma::Row<eT>* weights,
                  Matrix* out) const override;
  /// out += alpha * x_from * x_to^T: one GEMM accumulating in place (beta =
  /// 1), so a gradient's negative term needs no scratch the size of W.
  void add_statistics(const Matrix& x_from, const Matrix& x_to, eT alpha, Matrix& out) const;
  void initialize(Rng& rng, double stddev) override;
  bool fits(arma::uword n_from, arma::uword n_to) const override {
    return weights_.n_rows == n_from && weights_.n_cols == n_to;
  }

 private:
  friend class boost::serialization::access;
  DenseConnection() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  Matrix weights_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::DenseConnection, 0)
