#include "libebm/units/labelled_layer.hpp"

#include <algorithm>
#include <vector>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"
#include "libebm/units/softmax_layer.hpp"

namespace ebm {

template <typename eT>
LabelledLayer<eT>::LabelledLayer(std::unique_ptr<Layer<eT>> features, arma::uword classes)
    : Layer<eT>(features ? features->size() + classes : classes) {
  if (!features) throw ContractError("LabelledLayer: no feature part");
  if (classes < 2) throw ContractError("LabelledLayer: " + std::to_string(classes) + " classes (expected >= 2)");
  this->bias_.rows(0, features->size() - 1) = features->bias();
  features_ = std::move(features);
  labels_ = std::make_unique<SoftmaxLayer<eT>>(classes, classes);
}

template <typename eT>
void LabelledLayer<eT>::sync() const {
  const arma::uword n = features_->size();
  features_->bias() = this->bias_.rows(0, n - 1);
  labels_->bias() = this->bias_.rows(n, this->size() - 1);
}

template <typename eT>
void LabelledLayer<eT>::parameters(ParameterList<eT>& out, const std::string& prefix) {
  out.push_back({prefix + ".bias", &this->bias_, false});
  ParameterList<eT> part;
  features_->parameters(part, prefix);
  // part[0] is the feature part's bias, a copy of rows of bias_.
  for (std::size_t i = 1; i < part.size(); ++i) out.push_back(part[i]);
}

template <typename eT>
void LabelledLayer<eT>::base_input(Matrix& input, arma::uword n_cols) const {
  sync();
  Matrix a, b;
  features_->base_input(a, n_cols);
  labels_->base_input(b, n_cols);
  input = arma::join_cols(a, b);
}

template <typename eT>
void LabelledLayer<eT>::interaction(const Matrix& x, Matrix& out) const {
  const arma::uword n = features_->size();
  Matrix a;
  features_->interaction(rows(x, 0, n), a);
  out = arma::join_cols(a, rows(x, n, classes()));
}

template <typename eT>
void LabelledLayer<eT>::mark_unobserved(const Matrix& x, Matrix& input) const {
  const arma::uword n = features_->size();
  Matrix part = rows(input, 0, n);
  features_->mark_unobserved(rows(x, 0, n), part);
  input.rows(0, n - 1) = part;
}

template <typename eT>
void LabelledLayer<eT>::mean(const Matrix& input, Matrix& out) const {
  sync();
  const arma::uword n = features_->size();
  Matrix a, b;
  features_->mean(rows(input, 0, n), a);
  labels_->mean(rows(input, n, classes()), b);
  out = arma::join_cols(a, b);
}

template <typename eT>
void LabelledLayer<eT>::sample(const Matrix& input, Matrix& out, Rng& rng) const {
  sync();
  const arma::uword n = features_->size();
  Matrix a, b;
  features_->sample(rows(input, 0, n), a, rng);
  labels_->sample(rows(input, n, classes()), b, rng);
  out = arma::join_cols(a, b);
}

template <typename eT>
arma::rowvec LabelledLayer<eT>::self_energy(const Matrix& x) const {
  sync();
  const arma::uword n = features_->size();
  return features_->self_energy(rows(x, 0, n)) + labels_->self_energy(rows(x, n, classes()));
}

template <typename eT>
arma::rowvec LabelledLayer<eT>::log_partition(const Matrix& input) const {
  sync();
  const arma::uword n = features_->size();
  return features_->log_partition(rows(input, 0, n)) + labels_->log_partition(rows(input, n, classes()));
}

template <typename eT>
void LabelledLayer<eT>::statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const {
  sync();
  const arma::uword n = features_->size();
  std::vector<Matrix> part(features_->n_parameters());
  Matrix label;
  features_->statistics(rows(x, 0, n), weights, part.data());
  labels_->statistics(rows(x, n, classes()), weights, &label);
  out[0] = arma::join_cols(part[0], label);
  for (std::size_t i = 1; i < part.size(); ++i) out[i] = std::move(part[i]);
}

template <typename eT>
arma::uword LabelledLayer<eT>::state_count() const {
  const arma::uword n = features_->state_count(), k = classes();
  if (n == 0 || n > (arma::uword(1) << 62) / k) return 0;
  return n * k;
}

template <typename eT>
void LabelledLayer<eT>::states(arma::uword first, arma::uword count, Matrix& out) const {
  const arma::uword n_states = state_count();
  if (n_states == 0 || first + count > n_states)
    throw ContractError("LabelledLayer::states(): states " + std::to_string(first) + ".." +
                        std::to_string(first + count) + " of " + std::to_string(n_states));
  const arma::uword n = features_->size(), per_label = features_->state_count();
  out.zeros(this->size(), count);
  Matrix part;
  for (arma::uword c = 0; c < count;) {
    // A run of states with the same label: consecutive feature states.
    const arma::uword s = first + c, label = s / per_label, f = s % per_label;
    const arma::uword run = std::min(count - c, per_label - f);
    features_->states(f, run, part);
    out.submat(0, c, n - 1, c + run - 1) = part;
    out.row(n + label).cols(c, c + run - 1).fill(eT(1));
    c += run;
  }
}

template <typename eT>
void LabelledLayer<eT>::from_binary(Matrix& x) const {
  const arma::uword n = features_->size();
  Matrix part = rows(x, 0, n);
  features_->from_binary(part);
  x.rows(0, n - 1) = part;
}

template <typename eT>
void LabelledLayer<eT>::initialize_from_data(const Matrix& data) {
  const arma::uword n = features_->size();
  features_->initialize_from_data(rows(data, 0, n));
  labels_->initialize_from_data(rows(data, n, classes()));
  this->bias_ = arma::join_cols(features_->bias(), labels_->bias());
}

template <typename eT>
template <class Archive>
void LabelledLayer<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("layer", boost::serialization::base_object<Layer<eT>>(*this));
  ar& boost::serialization::make_nvp("features", features_);
  ar& boost::serialization::make_nvp("labels", labels_);
  if (Archive::is_loading::value) {
    const auto* softmax = dynamic_cast<const SoftmaxLayer<eT>*>(labels_.get());
    if (!features_ || !softmax || softmax->n_groups() != 1 || softmax->size() < 2 ||
        features_->size() + softmax->size() != this->bias_.n_rows || features_.get() == labels_.get())
      throw InputError("labelled archive: expected a feature layer and one softmax group of >= 2 labels making up " +
                       std::to_string(this->bias_.n_rows) + " units");
  }
}

template class LabelledLayer<float>;
template class LabelledLayer<double>;

}  // namespace ebm

// Exported for the archives only: the layer is built by the `dbn` from
// dbn.labels, never named in a config, so it has no factory or options
// and is not in the unit-type registry (EBM_REGISTER would list it there).
BOOST_CLASS_EXPORT_GUID(ebm::LabelledLayer<float>, (::ebm::export_key<ebm::LabelledLayer<float>, float>()))
BOOST_CLASS_EXPORT_GUID(ebm::LabelledLayer<double>, (::ebm::export_key<ebm::LabelledLayer<double>, double>()))
