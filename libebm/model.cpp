#include "libebm/model.hpp"

#include "libebm/error.hpp"

namespace ebm {

template <typename eT>
arma::uword Model<eT>::add_layer(std::unique_ptr<Layer<eT>> layer) {
  layers_.push_back(std::move(layer));
  return layers_.size() - 1;
}

template <typename eT>
arma::uword Model<eT>::add_connection(std::unique_ptr<Connection<eT>> connection) {
  if (connection->from() >= layers_.size() || connection->to() >= layers_.size())
    throw ContractError("Model::add_connection(): connection joins layers " + std::to_string(connection->from()) +
                        " and " + std::to_string(connection->to()) + " but the model has " +
                        std::to_string(layers_.size()) + " layers");
  connections_.push_back(std::move(connection));
  return connections_.size() - 1;
}

template <typename eT>
ParameterList<eT> Model<eT>::parameters() {
  ParameterList<eT> out;
  for (arma::uword l = 0; l < layers_.size(); ++l) layers_[l]->parameters(out, "layer" + std::to_string(l));
  for (arma::uword c = 0; c < connections_.size(); ++c)
    connections_[c]->parameters(out, "connection" + std::to_string(c));
  return out;
}

template <typename eT>
arma::uword Model<eT>::n_parameters() const {
  arma::uword n = 0;
  for (const auto& l : layers_) n += l->n_parameters();
  for (const auto& c : connections_) n += c->n_parameters();
  return n;
}

namespace {

// interaction(x) of layer l, without a copy when it is the identity.
template <typename eT>
const arma::Mat<eT>& interaction_of(const Layer<eT>& layer, const arma::Mat<eT>& x, arma::Mat<eT>& scratch) {
  if (layer.interaction_is_identity()) return x;
  layer.interaction(x, scratch);
  return scratch;
}

}  // namespace

template <typename eT>
arma::rowvec Model<eT>::energy(const State<eT>& state) const {
  if (state.layers.size() != layers_.size())
    throw ContractError("Model::energy(): state has " + std::to_string(state.layers.size()) + " layers, model has " +
                        std::to_string(layers_.size()));
  arma::rowvec e(state.n_cols(), arma::fill::zeros);
  for (arma::uword l = 0; l < layers_.size(); ++l) e += layers_[l]->self_energy(state.layers[l]);
  Matrix sa, sb;
  for (const auto& c : connections_) {
    const Matrix& a = interaction_of(*layers_[c->from()], state.layers[c->from()], sa);
    const Matrix& b = interaction_of(*layers_[c->to()], state.layers[c->to()], sb);
    e += c->energy(a, b);
  }
  return e;
}

template <typename eT>
void Model<eT>::total_input(arma::uword l, const State<eT>& state, Matrix& input) const {
  layers_[l]->base_input(input, state.n_cols());
  Matrix scratch;
  for (const auto& c : connections_) {
    if (c->to() == l && c->from() != l) {
      c->add_message(l, interaction_of(*layers_[c->from()], state.layers[c->from()], scratch), input);
    } else if (c->from() == l && c->to() != l) {
      c->add_message(l, interaction_of(*layers_[c->to()], state.layers[c->to()], scratch), input);
    } else if (c->from() == l && c->to() == l) {
      c->add_message(l, interaction_of(*layers_[l], state.layers[l], scratch), input);
    }
  }
}

template <typename eT>
void Model<eT>::statistics(const State<eT>& state, Statistics<eT>& out, const arma::Row<eT>* weights) const {
  out.resize(n_parameters());
  arma::uword k = 0;
  for (arma::uword l = 0; l < layers_.size(); ++l) {
    layers_[l]->statistics(state.layers[l], weights, &out[k]);
    k += layers_[l]->n_parameters();
  }
  Matrix sa, sb;
  for (const auto& c : connections_) {
    const Matrix& a = interaction_of(*layers_[c->from()], state.layers[c->from()], sa);
    const Matrix& b = interaction_of(*layers_[c->to()], state.layers[c->to()], sb);
    c->statistics(a, b, weights, &out[k]);
    k += c->n_parameters();
  }
}

template <typename eT>
std::vector<int> Model<eT>::bipartite_colouring() const {
  std::vector<int> colour(layers_.size(), -1);
  if (layers_.empty()) return colour;
  colour[0] = 0;
  // Propagate colours along connections until nothing changes; the layer
  // graph is tiny, so the quadratic loop is irrelevant.
  bool changed = true;
  while (changed) {
    changed = false;
    for (const auto& c : connections_) {
      const arma::uword a = c->from(), b = c->to();
      if (a == b) return {};
      if (colour[a] >= 0 && colour[b] < 0) colour[b] = 1 - colour[a], changed = true;
      else if (colour[b] >= 0 && colour[a] < 0) colour[a] = 1 - colour[b], changed = true;
      else if (colour[a] >= 0 && colour[a] == colour[b]) return {};
    }
  }
  for (int& c : colour)
    if (c < 0) c = 1;  // a layer joined to nothing: either colour works
  return colour;
}

template <typename eT>
arma::rowvec Model<eT>::free_energy(const Matrix&) const {
  throw ContractError("Model::free_energy(): model '" + type_name() + "' has no tractable free energy");
}

template <typename eT>
void Model<eT>::initialize(const Matrix& data, Rng& rng, double weight_stddev) {
  layers_[0]->initialize_from_data(data);
  for (auto& c : connections_) c->initialize(rng, weight_stddev);
}

template class Model<float>;
template class Model<double>;

}  // namespace ebm
