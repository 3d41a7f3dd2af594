// Binary units taking values in {0, 1}.
//
//   self_energy(x) = -b.x
//   p(x_i = 1 | input) = sigmoid(input_i),  input = b + messages
//   log_partition(input) = sum_i softplus(input_i)
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class BernoulliLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;
  using Layer<eT>::Layer;

  static constexpr const char* name = "bernoulli";
  std::string type_name() const override { return name; }
  static void declare_options(BlockOptions&) {}
  static std::unique_ptr<BernoulliLayer> create(const BlockOptions&, arma::uword size) {
    return std::make_unique<BernoulliLayer>(size);
  }

  void mean(const Matrix& input, Matrix& out) const override;
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  bool is_binary() const override { return true; }
  arma::uword state_count() const override;
  void states(arma::uword first, arma::uword count, Matrix& out) const override;
  void initialize_from_data(const Matrix& data) override;

 private:
  friend class boost::serialization::access;
  BernoulliLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::BernoulliLayer, 0)
