#include "libebm/model.hpp"

#include "libebm/connections/dense_connection.hpp"
#include "libebm/error.hpp"
#include "libebm/sampler.hpp"

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
  // Units the current state leaves unobserved (missing entries, see
  // Layer::mark_unobserved) stay so: every sampler draws through here.
  if (l < state.layers.size() && state.layers[l].n_rows == input.n_rows && state.layers[l].n_cols == input.n_cols)
    layers_[l]->mark_unobserved(state.layers[l], input);
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

namespace {

// statistics_difference, into plain statistics (factors null) or leaving
// the dense connections' weight terms as factors.
template <typename eT>
void difference_of_statistics(const Model<eT>& model, const State<eT>& positive, const State<eT>& negative,
                              Statistics<eT>& out, Statistics<eT>& scratch, eT positive_weight, eT negative_weight,
                              std::vector<std::vector<OuterProduct<eT>>>* factors) {
  using Matrix = arma::Mat<eT>;
  // Unit weights (every run that is not data-parallel) take exactly the
  // operations of a plain difference.
  const auto subtract = [&](Matrix& o, const Matrix& negative_term) {
    if (positive_weight != eT(1)) o *= positive_weight;
    if (negative_weight == eT(1)) o -= negative_term;
    else o -= negative_weight * negative_term;
  };
  if (positive.layers.size() != model.n_layers() || negative.layers.size() != model.n_layers())
    throw ContractError("Model::statistics_difference(): states have " + std::to_string(positive.layers.size()) +
                        " and " + std::to_string(negative.layers.size()) + " layers, model has " +
                        std::to_string(model.n_layers()));
  out.resize(model.n_parameters());
  scratch.resize(model.n_parameters());
  if (factors) {
    factors->resize(model.n_parameters());
    for (auto& f : *factors) f.clear();
  }
  arma::uword k = 0;
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    const Layer<eT>& layer = model.layer(l);
    layer.statistics(positive.layers[l], nullptr, &out[k]);
    layer.statistics(negative.layers[l], nullptr, &scratch[k]);
    for (arma::uword i = 0; i < layer.n_parameters(); ++i) subtract(out[k + i], scratch[k + i]);
    k += layer.n_parameters();
  }
  Matrix sa, sb;
  for (arma::uword ci = 0; ci < model.n_connections(); ++ci) {
    const Connection<eT>* c = &model.connection(ci);
    const Layer<eT>& from = model.layer(c->from());
    const Layer<eT>& to = model.layer(c->to());
    const auto* dense = dynamic_cast<const DenseConnection<eT>*>(c);
    if (factors && dense && positive_weight == eT(1) && from.interaction_is_identity() &&
        to.interaction_is_identity()) {
      // The states themselves are the factors (no interaction copies that
      // would die with this call); the alphas are those of the GEMMs below.
      const Matrix& xp = positive.layers[c->from()];
      const Matrix& xn = negative.layers[c->from()];
      (*factors)[k] = {{eT(1) / eT(xp.n_cols), &xp, &positive.layers[c->to()]},
                       {-negative_weight / eT(xn.n_cols), &xn, &negative.layers[c->to()]}};
      k += c->n_parameters();
      continue;
    }
    c->statistics(interaction_of(from, positive.layers[c->from()], sa), interaction_of(to, positive.layers[c->to()], sb),
                  nullptr, &out[k]);
    const Matrix& a = interaction_of(from, negative.layers[c->from()], sa);
    const Matrix& b = interaction_of(to, negative.layers[c->to()], sb);
    if (dense) {
      if (positive_weight != eT(1)) out[k] *= positive_weight;
      dense->add_statistics(a, b, -negative_weight / eT(a.n_cols), out[k]);
    } else {
      c->statistics(a, b, nullptr, &scratch[k]);
      for (arma::uword i = 0; i < c->n_parameters(); ++i) subtract(out[k + i], scratch[k + i]);
    }
    k += c->n_parameters();
  }
}

}  // namespace

template <typename eT>
void Model<eT>::statistics_difference(const State<eT>& positive, const State<eT>& negative, Statistics<eT>& out,
                                      Statistics<eT>& scratch, eT positive_weight, eT negative_weight) const {
  difference_of_statistics(*this, positive, negative, out, scratch, positive_weight, negative_weight,
                           static_cast<std::vector<std::vector<OuterProduct<eT>>>*>(nullptr));
}

template <typename eT>
void Model<eT>::statistics_difference(const State<eT>& positive, const State<eT>& negative, FactoredGradient<eT>& out,
                                      Statistics<eT>& scratch, eT positive_weight, eT negative_weight) const {
  difference_of_statistics(*this, positive, negative, out.gradient, scratch, positive_weight, negative_weight,
                           &out.factors);
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
void Model<eT>::features(const Matrix& data, arma::uword l, Matrix& out) const {
  if (l >= n_feature_layers())
    throw ContractError("Model::features(): layer " + std::to_string(l) + " requested, model '" + type_name() +
                        "' has feature layers 0.." + std::to_string(n_feature_layers() - 1));
  State<eT> state;
  positive_phase(data, state);
  out = std::move(state.layers.at(l));
}

template <typename eT>
void Model<eT>::class_log_probabilities(const Matrix&, arma::mat&) const {
  throw ContractError("Model::class_log_probabilities(): model '" + type_name() +
                      "' has no label units (it classifies only through a readout of its features)");
}

template <typename eT>
void Model<eT>::generate_class(const arma::urowvec&, unsigned, Rng&, Matrix&, bool) const {
  throw ContractError("Model::generate_class(): model '" + type_name() + "' has no label units");
}

template <typename eT>
void Model<eT>::generate(Sampler<eT>& sampler, arma::uword n, unsigned steps, Rng& rng, Matrix& visible,
                         bool mean) const {
  State<eT> chains;
  sampler.initialize_chains(*this, chains, n, rng);
  sampler.run(*this, chains, steps, rng);
  if (!mean) {
    visible = chains.layers[0];
    return;
  }
  Matrix input;
  total_input(0, chains, input);
  layers_[0]->mean(input, visible);
}

template <typename eT>
void Model<eT>::initialize(const Matrix& data, Rng& rng, double weight_stddev) {
  layers_[0]->initialize_from_data(data);
  for (auto& c : connections_) c->initialize(rng, weight_stddev);
}

template <typename eT>
std::string Model<eT>::check_structure() {
  std::string problem;
  auto release_aliases = [&](auto& blocks, const char* what) {
    for (std::size_t i = 0; i < blocks.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (blocks[i] && blocks[i].get() == blocks[j].get()) {
          (void)blocks[i].release();
          if (problem.empty()) problem = std::string("the same ") + what + " appears twice";
        }
  };
  release_aliases(layers_, "layer");
  release_aliases(connections_, "connection");
  if (!problem.empty()) return problem;
  if (layers_.empty()) return "the model has no layers";
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    if (!layers_[l]) return "layer " + std::to_string(l) + " is missing";
    if (layers_[l]->bias().n_cols != 1 || layers_[l]->bias().n_rows == 0)
      return "layer " + std::to_string(l) + " has a bias of shape " + std::to_string(layers_[l]->bias().n_rows) + " x " +
             std::to_string(layers_[l]->bias().n_cols);
  }
  for (std::size_t c = 0; c < connections_.size(); ++c) {
    if (!connections_[c]) return "connection " + std::to_string(c) + " is missing";
    if (connections_[c]->from() >= layers_.size() || connections_[c]->to() >= layers_.size())
      return "connection " + std::to_string(c) + " joins layers that do not exist";
    if (!connections_[c]->fits(layers_[connections_[c]->from()]->size(), layers_[connections_[c]->to()]->size()))
      return "connection " + std::to_string(c) + " does not fit the sizes of the layers it joins";
  }
  if (!offsets_.empty()) {
    if (offsets_.size() != layers_.size())
      return "the model has " + std::to_string(offsets_.size()) + " centering offsets for " +
             std::to_string(layers_.size()) + " layers";
    for (std::size_t l = 0; l < layers_.size(); ++l)
      if (offsets_[l].n_rows != layers_[l]->size() || offsets_[l].n_cols != 1 || !offsets_[l].is_finite())
        return "the centering offsets of layer " + std::to_string(l) + " do not fit it (" +
               std::to_string(offsets_[l].n_rows) + " x " + std::to_string(offsets_[l].n_cols) + ", expected " +
               std::to_string(layers_[l]->size()) + " x 1, finite)";
  }
  return check_own_structure();
}

template class Model<float>;
template class Model<double>;

}  // namespace ebm
