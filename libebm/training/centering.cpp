#include "libebm/training/centering.hpp"

#include <algorithm>

#include "libebm/error.hpp"

namespace ebm {

CenteringMode parse_centering_mode(const std::string& text, const std::string& key) {
  if (text == "none") return CenteringMode::none;
  if (text == "data") return CenteringMode::data;
  if (text == "data+hidden") return CenteringMode::data_and_hidden;
  throw InputError(key + " = " + text + ": expected none, data or data+hidden");
}

std::string centering_mode_name(CenteringMode mode) {
  switch (mode) {
    case CenteringMode::data: return "data";
    case CenteringMode::data_and_hidden: return "data+hidden";
    default: return "none";
  }
}

namespace {

/// Index of each layer's bias and of each connection's first parameter in
/// Model::parameters() order (layers, bias first, then connections).
template <typename eT>
struct ParameterIndex {
  std::vector<arma::uword> bias, connection;
  explicit ParameterIndex(const Model<eT>& model) {
    arma::uword k = 0;
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      bias.push_back(k);
      k += model.layer(l).n_parameters();
    }
    for (arma::uword c = 0; c < model.n_connections(); ++c) {
      connection.push_back(k);
      k += model.connection(c).n_parameters();
    }
  }
};

template <typename eT>
void require_offsets(const Model<eT>& model, const char* who) {
  if (model.offsets().size() != model.n_layers())
    throw ContractError(std::string(who) + ": the model has no centering offsets (Centering::initialize)");
}

}  // namespace

template <typename eT>
Centering<eT>::Centering(const CenteringOptions& options) : options_(options) {
  if (!(options.rate > 0 && options.rate <= 1))
    throw InputError("training.centering_rate = " + std::to_string(options.rate) + ": expected a value in (0, 1]");
}

template <typename eT>
void Centering<eT>::check(const Model<eT>& model) const {
  if (!active()) return;
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    if (const std::string why = model.layer(l).centering_obstacle(); !why.empty())
      throw InputError("training.centering = " + centering_mode_name(options_.mode) + ": layer " + std::to_string(l) +
                       " of the " + model.type_name() + " cannot be centered: " + why);
}

template <typename eT>
void Centering<eT>::initialize(Model<eT>& model, const Matrix& data) const {
  if (!active()) return;
  check(model);
  if (model.offsets().size() == model.n_layers()) return;  // resumed: keep the run's offsets
  std::vector<Matrix> offsets(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) offsets[l].zeros(model.layer(l).size(), 1);
  // Sums in double over the whole data set, in chunks (a deep model's
  // positive phase over all of Fashion-MNIST at once would be large).
  const arma::uword chunk = 2000;
  std::vector<arma::vec> sums(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) sums[l].zeros(model.layer(l).size());
  State<eT> state;
  for (arma::uword first = 0; first < data.n_cols; first += chunk) {
    const arma::uword last = std::min(data.n_cols, first + chunk) - 1;
    const Matrix part = data.cols(first, last);
    sums[0] += arma::sum(arma::conv_to<arma::mat>::from(part), 1);
    if (options_.mode != CenteringMode::data_and_hidden) continue;
    model.positive_phase(part, state);
    for (arma::uword l = 1; l < model.n_layers(); ++l)
      sums[l] += arma::sum(arma::conv_to<arma::mat>::from(state.layers[l]), 1);
  }
  const arma::uword last_layer = options_.mode == CenteringMode::data_and_hidden ? model.n_layers() : 1;
  for (arma::uword l = 0; l < last_layer; ++l)
    offsets[l] = arma::conv_to<Matrix>::from(sums[l] / double(std::max<arma::uword>(data.n_cols, 1)));
  model.set_offsets(std::move(offsets));
}

template <typename eT>
void Centering<eT>::batch_means(const State<eT>& positive, arma::uword global_columns, Statistics<eT>& out) const {
  out.resize(positive.layers.size());
  for (std::size_t l = 0; l < positive.layers.size(); ++l)
    out[l] = arma::sum(positive.layers[l], 1) / eT(global_columns);
}

template <typename eT>
void Centering<eT>::update(Model<eT>& model, const ParameterList<eT>& parameters, Statistics<eT>& gradient,
                           UpdateRule<eT>& rule, const StepContext& step) const {
  center_gradient(model, gradient);
  shift_biases(model, +1);
  rule.apply(parameters, gradient, step);
  shift_biases(model, -1);
}

template <typename eT>
void Centering<eT>::slide(Model<eT>& model, const Statistics<eT>& means) const {
  require_offsets(model, "Centering::slide()");
  std::vector<Matrix>& offsets = model.offsets();
  const arma::uword last_layer = options_.mode == CenteringMode::data_and_hidden ? model.n_layers() : 1;
  const eT rate = eT(options_.rate);
  for (arma::uword l = 0; l < last_layer; ++l) offsets[l] = (eT(1) - rate) * offsets[l] + rate * means.at(l);
}

template <typename eT>
void Centering<eT>::center_gradient(const Model<eT>& model, Statistics<eT>& gradient) const {
  require_offsets(model, "Centering::center_gradient()");
  const ParameterIndex<eT> index(model);
  const std::vector<Matrix>& mu = model.offsets();
  // delta_l = <x_l>_data - <x_l>_model, from the bias gradient.
  std::vector<Matrix>& delta = delta_;
  delta.resize(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    delta[l] = gradient.at(index.bias[l]) / model.layer(l).bias_input_scale();
  // A bias scale that depends on another parameter of its layer (a learned
  // Gaussian variance) gives that parameter a chain-rule term too.
  const std::vector<Matrix>& message = offset_messages(model);
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    if (model.layer(l).n_parameters() > 1)
      model.layer(l).add_centering_scale_terms(message[l], delta[l], &gradient.at(index.bias[l]));
  // delta_a mu_b^T + mu_a delta_b^T as the connection's own statistics of
  // the pair, by polarisation: S(d_a + mu_a, d_b + mu_b) / 2 -
  // S(d_a - mu_a, d_b - mu_b) / 2 for the bilinear S of a dense
  // connection, and likewise for the quadratic one of a lateral coupling
  // (which also keeps its symmetry and zero diagonal).
  const arma::Row<eT> halves{eT(0.5), eT(-0.5)};
  std::vector<Matrix>& correction = correction_;
  for (arma::uword c = 0; c < model.n_connections(); ++c) {
    const Connection<eT>& connection = model.connection(c);
    const arma::uword a = connection.from(), b = connection.to();
    pair_from_ = arma::join_rows(delta[a] + mu[a], delta[a] - mu[a]);
    pair_to_ = arma::join_rows(delta[b] + mu[b], delta[b] - mu[b]);
    correction.resize(connection.n_parameters());
    connection.statistics(pair_from_, pair_to_, &halves, correction.data());
    for (arma::uword k = 0; k < connection.n_parameters(); ++k) gradient.at(index.connection[c] + k) -= correction[k];
  }
}

template <typename eT>
const std::vector<typename Centering<eT>::Matrix>& Centering<eT>::offset_messages(const Model<eT>& model) const {
  const std::vector<Matrix>& mu = model.offsets();
  // m_l: every message layer l receives with all layers at their offsets
  // (messages do not depend on biases).
  std::vector<Matrix>& message = message_;
  message.resize(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) message[l].zeros(model.layer(l).size(), 1);
  for (arma::uword c = 0; c < model.n_connections(); ++c) {
    const Connection<eT>& connection = model.connection(c);
    const arma::uword a = connection.from(), b = connection.to();
    if (a == b) {
      connection.add_message(a, mu[a], message[a]);
    } else {
      connection.add_message(b, mu[a], message[b]);
      connection.add_message(a, mu[b], message[a]);
    }
  }
  return message;
}

template <typename eT>
void Centering<eT>::shift_biases(Model<eT>& model, int direction) const {
  require_offsets(model, "Centering::shift_biases()");
  // All messages before any bias moves; the scale s is read now, so the
  // shift back after a step uses the step's new variance.
  const std::vector<Matrix>& message = offset_messages(model);
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    model.layer(l).bias() += eT(direction) * (message[l] / model.layer(l).bias_input_scale());
}

template class Centering<float>;
template class Centering<double>;

}  // namespace ebm
