#include "libebm/monitors/pseudo_likelihood.hpp"

#include "libebm/registry/register.hpp"

#include <cmath>

#include "libebm/error.hpp"

namespace ebm {

template <typename eT>
void PseudoLikelihood<eT>::check_applies_to(const Model<eT>& model) const {
  if (!model.has_free_energy())
    throw ContractError("monitor 'pseudo_likelihood': model '" + model.type_name() + "' has no tractable free energy");
  if (!model.layer(0).is_binary())
    throw ContractError("monitor 'pseudo_likelihood': visible units '" + model.layer(0).type_name() +
                        "' are not binary");
}

template <typename eT>
arma::rowvec PseudoLikelihood<eT>::pseudo_log_likelihood(const Model<eT>& model, const arma::Mat<eT>& v) {
  const arma::rowvec f = model.free_energy(v);
  arma::rowvec pl(v.n_cols, arma::fill::zeros);
  arma::Mat<eT> flipped = v;
  for (arma::uword i = 0; i < v.n_rows; ++i) {
    flipped.row(i) = eT(1) - v.row(i);
    const arma::rowvec d = f - model.free_energy(flipped);
    for (arma::uword c = 0; c < v.n_cols; ++c) {
      const double x = d[c];
      pl[c] -= x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
    flipped.row(i) = v.row(i);
  }
  return pl;
}

template <typename eT>
void PseudoLikelihood<eT>::measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) {
  arma::Mat<eT> scratch;
  out.emplace_back("pseudo_likelihood_train",
                   arma::mean(pseudo_log_likelihood(model, leading_columns(*data.train, max_samples_, scratch))));
  if (data.test)
    out.emplace_back("pseudo_likelihood_test",
                     arma::mean(pseudo_log_likelihood(model, leading_columns(*data.test, max_samples_, scratch))));
}

template <typename eT>
void PseudoLikelihood<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("samples", 500, "use the first N samples of each data set (0: all)", "an integer >= 0");
}

template <typename eT>
std::unique_ptr<PseudoLikelihood<eT>> PseudoLikelihood<eT>::create(const BlockOptions& o) {
  return std::make_unique<PseudoLikelihood<eT>>(o.get<std::uint64_t>("samples"));
}

template <typename eT>
template <class Archive>
void PseudoLikelihood<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("monitor", boost::serialization::base_object<Monitor<eT>>(*this));
  std::uint64_t samples = max_samples_;
  ar& boost::serialization::make_nvp("samples", samples);
  max_samples_ = samples;
}

template class PseudoLikelihood<float>;
template class PseudoLikelihood<double>;

}  // namespace ebm

EBM_REGISTER(ebm::MonitorKind, ebm::PseudoLikelihood, "pseudo-log-likelihood of binary visible data (Besag 1975)")
