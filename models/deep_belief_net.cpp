#include "models/deep_belief_net.hpp"

#include <sstream>

#include "libebm/archive/clone.hpp"
#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"
#include "libebm/sampler.hpp"

namespace ebm {

namespace {

/// "500, 500,2000" -> {500, 500, 2000}; empty on any malformed entry.
std::vector<arma::uword> parse_size_list(const std::string& text) {
  std::vector<arma::uword> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      std::size_t used = 0;
      unsigned long long n = 0;
      try {
        n = std::stoull(item, &used);
      } catch (const std::exception&) {
        return {};
      }
      while (used < item.size() && (item[used] == ' ' || item[used] == '\t')) ++used;
      if (used != item.size() || item.find('-') != std::string::npos) return {};
      out.push_back(n);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

}  // namespace

template <typename eT>
DeepBeliefNet<eT>::DeepBeliefNet(std::vector<std::unique_ptr<Layer<eT>>> layers, bool propagate_samples,
                                 bool down_samples)
    : propagate_samples_(propagate_samples), down_samples_(down_samples) {
  if (layers.empty() || layers.size() % 2 != 0)
    throw ContractError("DeepBeliefNet: expected 2 layers per level, got " + std::to_string(layers.size()));
  for (std::size_t l = 0; l < layers.size(); ++l)
    if (dynamic_cast<const LabelledLayer<eT>*>(layers[l].get()) && (l + 2 != layers.size() || l == 0))
      throw ContractError("DeepBeliefNet: layer " + std::to_string(l) + " has label units; only the top RBM's "
                          "visible layer of a net of two or more levels can");
  for (std::size_t l = 2; l < layers.size(); l += 2) {
    const auto* labelled = dynamic_cast<const LabelledLayer<eT>*>(layers[l].get());
    const arma::uword n = labelled ? labelled->n_features() : layers[l]->size();
    if (n != layers[l - 1]->size())
      throw ContractError("DeepBeliefNet: level " + std::to_string(l / 2) + " has " + std::to_string(n) +
                          " visible units, the level below " + std::to_string(layers[l - 1]->size()) +
                          " hidden units");
  }
  std::vector<arma::uword> sizes;
  for (auto& layer : layers) {
    sizes.push_back(layer->size());
    this->add_layer(std::move(layer));
  }
  for (arma::uword k = 0; k < sizes.size() / 2; ++k)
    this->add_connection(std::make_unique<DenseConnection<eT>>(2 * k, 2 * k + 1, sizes[2 * k], sizes[2 * k + 1]));
}

template <typename eT>
std::vector<arma::uword> DeepBeliefNet<eT>::layer_sizes() const {
  std::vector<arma::uword> sizes{this->n_visible()};
  for (arma::uword k = 0; k < n_levels(); ++k) sizes.push_back(this->layer(2 * k + 1).size());
  return sizes;
}

template <typename eT>
const LabelledLayer<eT>* DeepBeliefNet<eT>::labelled() const {
  return dynamic_cast<const LabelledLayer<eT>*>(&this->layer(2 * (n_levels() - 1)));
}

template <typename eT>
arma::uword DeepBeliefNet<eT>::n_classes() const {
  const LabelledLayer<eT>* top = labelled();
  return top ? top->classes() : 0;
}

template <typename eT>
void DeepBeliefNet<eT>::join_labels(const Matrix& x, const arma::urowvec* labels, Matrix& out) const {
  const LabelledLayer<eT>* top = labelled();
  if (!top) {
    out = x;
    return;
  }
  if (x.n_rows != top->n_features() || (labels && labels->n_elem != x.n_cols))
    throw ContractError("DeepBeliefNet::join_labels(): " + std::to_string(x.n_rows) + " x " +
                        std::to_string(x.n_cols) + " features and " + std::to_string(labels ? labels->n_elem : 0) +
                        " labels for a top RBM of " + std::to_string(top->n_features()) + " feature units");
  const arma::uword k = top->classes();
  out.zeros(x.n_rows + k, x.n_cols);
  out.rows(0, x.n_rows - 1) = x;
  if (labels)
    for (arma::uword i = 0; i < x.n_cols; ++i) {
      if ((*labels)[i] >= k)
        throw ContractError("DeepBeliefNet::join_labels(): label " + std::to_string((*labels)[i]) + " of sample " +
                            std::to_string(i) + ", expected 0.." + std::to_string(k - 1));
      out(x.n_rows + (*labels)[i], i) = eT(1);
    }
}

template <typename eT>
void DeepBeliefNet<eT>::class_log_probabilities(const Matrix& data, arma::mat& out) const {
  const arma::uword k = n_classes();
  if (k == 0) return Model<eT>::class_log_probabilities(data, out);
  const arma::uword top = n_levels() - 1;
  Matrix x, v;
  features(data, top, x);
  const std::unique_ptr<Rbm<eT>> rbm = level(top);
  out.set_size(k, data.n_cols);
  arma::urowvec y(data.n_cols);
  for (arma::uword c = 0; c < k; ++c) {
    y.fill(c);
    join_labels(x, &y, v);
    out.row(c) = -rbm->free_energy(v);
  }
  // log p(y = c | x) = -F_c - log sum_l exp(-F_l), column by column.
  for (arma::uword i = 0; i < out.n_cols; ++i) {
    const double m = out.col(i).max();
    out.col(i) -= m + std::log(arma::accu(arma::exp(out.col(i) - m)));
  }
}

template <typename eT>
void DeepBeliefNet<eT>::check_level(arma::uword k, const char* caller) const {
  if (k >= n_levels())
    throw ContractError(std::string("DeepBeliefNet::") + caller + "(): level " + std::to_string(k) + " of " +
                        std::to_string(n_levels()));
}

template <typename eT>
std::unique_ptr<Rbm<eT>> DeepBeliefNet<eT>::level(arma::uword k) const {
  check_level(k, "level");
  auto rbm = std::make_unique<Rbm<eT>>(clone_layer(this->layer(2 * k)), clone_layer(this->layer(2 * k + 1)));
  rbm->weights() = dynamic_cast<const DenseConnection<eT>&>(this->connection(k)).weights();
  return rbm;
}

template <typename eT>
void DeepBeliefNet<eT>::set_level(arma::uword k, Rbm<eT>& rbm) {
  check_level(k, "set_level");
  if (rbm.visible().type_name() != this->layer(2 * k).type_name() ||
      rbm.hidden().type_name() != this->layer(2 * k + 1).type_name())
    throw ContractError("DeepBeliefNet::set_level(): unit types differ from level " + std::to_string(k));
  ParameterList<eT> mine;
  this->layer(2 * k).parameters(mine, "visible");
  this->layer(2 * k + 1).parameters(mine, "hidden");
  this->connection(k).parameters(mine, "weights");
  const ParameterList<eT> theirs = rbm.parameters();
  if (theirs.size() != mine.size())
    throw ContractError("DeepBeliefNet::set_level(): the RBM has another parameter list than level " +
                        std::to_string(k));
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (arma::size(*mine[i].value) != arma::size(*theirs[i].value))
      throw ContractError("DeepBeliefNet::set_level(): parameter " + theirs[i].name +
                          " has another shape than in level " + std::to_string(k));
    *mine[i].value = *theirs[i].value;
  }
}

template <typename eT>
void DeepBeliefNet<eT>::up(arma::uword k, const Matrix& x, Matrix& out, Rng* rng) const {
  check_level(k, "up");
  const Layer<eT>& visible = this->layer(2 * k);
  const Layer<eT>& hidden = this->layer(2 * k + 1);
  if (x.n_rows != visible.size())  // e.g. the top level's input without its label rows (join_labels)
    throw ContractError("DeepBeliefNet::up(): level " + std::to_string(k) + " takes " +
                        std::to_string(visible.size()) + " rows, got " + std::to_string(x.n_rows));
  Matrix input, ix;
  hidden.base_input(input, x.n_cols);
  if (visible.interaction_is_identity()) {
    this->connection(k).add_message(2 * k + 1, x, input);
  } else {
    visible.interaction(x, ix);
    this->connection(k).add_message(2 * k + 1, ix, input);
  }
  if (rng)
    hidden.sample(input, out, *rng);
  else
    hidden.mean(input, out);
}

template <typename eT>
void DeepBeliefNet<eT>::down(arma::uword k, const Matrix& h, Matrix& out, Rng* rng) const {
  check_level(k, "down");
  const Layer<eT>& visible = this->layer(2 * k);
  const Layer<eT>& hidden = this->layer(2 * k + 1);
  if (h.n_rows != hidden.size())
    throw ContractError("DeepBeliefNet::down(): level " + std::to_string(k) + " takes " +
                        std::to_string(hidden.size()) + " rows, got " + std::to_string(h.n_rows));
  Matrix input, ih;
  visible.base_input(input, h.n_cols);
  if (hidden.interaction_is_identity()) {
    this->connection(k).add_message(2 * k, h, input);
  } else {
    hidden.interaction(h, ih);
    this->connection(k).add_message(2 * k, ih, input);
  }
  if (rng)
    visible.sample(input, out, *rng);
  else
    visible.mean(input, out);
}

template <typename eT>
void DeepBeliefNet<eT>::positive_phase(const Matrix& data, State<eT>& state) const {
  state.layers.resize(this->n_layers());
  state.layers[0] = data;
  for (arma::uword k = 0; k < n_levels(); ++k) {
    up(k, state.layers[2 * k], state.layers[2 * k + 1]);
    if (k + 2 < n_levels()) state.layers[2 * k + 2] = state.layers[2 * k + 1];
    else if (k + 2 == n_levels()) join_labels(state.layers[2 * k + 1], nullptr, state.layers[2 * k + 2]);
  }
}

template <typename eT>
void DeepBeliefNet<eT>::features(const Matrix& data, arma::uword l, Matrix& out) const {
  if (l > n_levels())
    throw ContractError("DeepBeliefNet::features(): layer " + std::to_string(l) +
                        " requested, the net has feature layers 0.." + std::to_string(n_levels()));
  out = data;
  Matrix next;
  for (arma::uword k = 0; k < l; ++k) {
    if (k + 1 == n_levels() && labelled()) {  // into the top layer: label units 0
      join_labels(out, nullptr, next);
      out.swap(next);
    }
    up(k, out, next);
    out.swap(next);
  }
}

template <typename eT>
void DeepBeliefNet<eT>::generate(Sampler<eT>& sampler, arma::uword n, unsigned steps, Rng& rng, Matrix& visible,
                                 bool mean) const {
  const arma::uword top = n_levels() - 1;
  const std::unique_ptr<Rbm<eT>> top_rbm = level(top);
  State<eT> chains;
  sampler.initialize_chains(*top_rbm, chains, n, rng);
  sampler.run(*top_rbm, chains, steps, rng);
  if (top == 0) {
    // A one-level net is an RBM: exactly what Model::generate gives.
    if (!mean) {
      visible = chains.layers[0];
    } else {
      down(0, chains.layers[1], visible);
    }
    return;
  }
  // With label units the top RBM's visible layer is [x_{L-1}; y]: the
  // directed pass starts from x_{L-1} (the label sample is dropped).
  Matrix x = labelled() ? Matrix(chains.layers[0].rows(0, labelled()->n_features() - 1))
                        : std::move(chains.layers[0]);
  generate_down(std::move(x), rng, visible, mean);
}

template <typename eT>
void DeepBeliefNet<eT>::generate_down(Matrix x, Rng& rng, Matrix& visible, bool mean) const {
  // x_{L-1} is the top RBM's visible sample; then p(x_k | x_{k+1}) downwards
  // (Hinton, Osindero & Teh 2006, section 2: the directed generative pass).
  Matrix next;
  for (arma::uword k = n_levels() - 1; k-- > 0;) {
    const bool last = k == 0;
    const bool draw = last ? !mean : down_samples_;
    down(k, x, next, draw ? &rng : nullptr);
    x.swap(next);
  }
  visible = std::move(x);
}

template <typename eT>
void DeepBeliefNet<eT>::generate_class(const arma::urowvec& classes, unsigned steps, Rng& rng, Matrix& visible,
                                       bool mean) const {
  const LabelledLayer<eT>* labels = labelled();
  if (!labels) throw ContractError("DeepBeliefNet::generate_class(): the net has no label units (dbn.labels)");
  const arma::uword n_features = labels->n_features(), n_classes = labels->classes();
  if (classes.n_elem && classes.max() >= n_classes)
    throw ContractError("DeepBeliefNet::generate_class(): class " + std::to_string(classes.max()) + " of " +
                        std::to_string(n_classes) + " (expected 0 to " + std::to_string(n_classes - 1) + ")");
  const std::unique_ptr<Rbm<eT>> top = level(n_levels() - 1);
  const Layer<eT>& v_layer = top->visible();
  const Layer<eT>& h_layer = top->hidden();
  auto hold_labels = [&](Matrix& v) {
    v.rows(n_features, n_features + n_classes - 1).zeros();
    for (arma::uword j = 0; j < classes.n_elem; ++j) v(n_features + classes[j], j) = eT(1);
  };
  Matrix v, h, input;
  v_layer.base_input(input, classes.n_elem);  // the start: [x; y] from the biases alone
  v_layer.sample(input, v, rng);
  hold_labels(v);
  for (unsigned s = 0; s < std::max(steps, 1u); ++s) {
    top->hidden_input(v, input);
    h_layer.sample(input, h, rng);
    top->visible_input(h, input);
    v_layer.sample(input, v, rng);
    hold_labels(v);
  }
  generate_down(Matrix(v.rows(0, n_features - 1)), rng, visible, mean);
}


template <typename eT>
void DeepBeliefNet<eT>::declare_options(BlockOptions& o) {
  o.declare<std::string>("hidden", "500,500,2000", "sizes of the hidden layers x_1..x_L, bottom up (one RBM each)",
                         "a comma-separated list of integers >= 1", [](const std::string& s) {
                           const auto sizes = parse_size_list(s);
                           if (sizes.empty()) return false;
                           for (auto n : sizes)
                             if (n < 1) return false;
                           return true;
                         });
  o.declare_choice("visible_units", "bernoulli", UnitsKind::name, "unit type of the data layer x_0");
  o.declare_choice_list("hidden_units", "bernoulli", UnitsKind::name,
                        "unit types of the hidden layers x_1..x_L: one for all, or one per layer bottom up "
                        "(e.g. nrelu, bernoulli)");
  o.declare<std::uint64_t>("labels", 0,
                           "label units: K classes joined to the top RBM as one softmax group (Hinton, Osindero & "
                           "Teh 2006), trained from data.train_labels; the net then classifies by free energy "
                           "(0: none)",
                           "0, or an integer >= 2 (needs two or more levels)",
                           [](const std::uint64_t& k) { return k != 1; });
  o.declare<std::string>("propagate", "mean",
                         "what greedy training passes up as the next level's data: hidden means or samples",
                         "mean or sample", [](const std::string& s) { return s == "mean" || s == "sample"; });
  o.declare<std::string>("down_pass", "sample",
                         "generation: draw the intermediate layers of the top-down pass, or pass their means",
                         "sample or mean", [](const std::string& s) { return s == "mean" || s == "sample"; });
  o.declare<std::string>("level_epochs", "", "epochs of each level, bottom up (empty: training.epochs for every level)",
                         "empty or a comma-separated list of integers >= 1, one per level", [](const std::string& s) {
                           if (s.empty()) return true;
                           const auto e = parse_size_list(s);
                           if (e.empty()) return false;
                           for (auto n : e)
                             if (n < 1) return false;
                           return true;
                         });
}

template <typename eT>
std::unique_ptr<DeepBeliefNet<eT>> DeepBeliefNet<eT>::create(const BlockOptions& o, const ModelContext<eT>& context) {
  const std::vector<arma::uword> hidden = parse_size_list(o.get<std::string>("hidden"));
  std::vector<arma::uword> epochs;
  if (!o.get<std::string>("level_epochs").empty()) {
    epochs = parse_size_list(o.get<std::string>("level_epochs"));
    if (epochs.size() != hidden.size())
      throw InputError("dbn.level_epochs: " + std::to_string(epochs.size()) +
                       " values given, expected one per level (" + std::to_string(hidden.size()) +
                       ", as in dbn.hidden)");
  }
  const std::vector<std::string> units = choice_list(o.get<std::string>("hidden_units"));
  if (units.size() != 1 && units.size() != hidden.size())
    throw InputError("dbn.hidden_units = " + o.get<std::string>("hidden_units") + ": " + std::to_string(units.size()) +
                     " unit types for " + std::to_string(hidden.size()) +
                     " hidden layers (dbn.hidden); expected one for all, or one per layer");
  const auto hidden_type = [&units](std::size_t k) { return units[units.size() == 1 ? 0 : k]; };
  const arma::uword classes = o.get<std::uint64_t>("labels");
  if (classes > 0 && hidden.size() < 2)
    throw InputError("dbn.labels = " + std::to_string(classes) +
                     ": label units join the top RBM's visible layer x_{L-1}, which needs two or more levels (dbn.hidden "
                     "lists " + std::to_string(hidden.size()) + ")");
  std::vector<std::unique_ptr<Layer<eT>>> layers;
  arma::uword below = context.n_visible;
  for (std::size_t k = 0; k < hidden.size(); ++k) {
    auto visible = context.make_layer(k == 0 ? o.get<std::string>("visible_units") : hidden_type(k - 1), below);
    if (classes > 0 && k + 1 == hidden.size())
      visible = std::make_unique<LabelledLayer<eT>>(std::move(visible), classes);
    layers.push_back(std::move(visible));
    layers.push_back(context.make_layer(hidden_type(k), hidden[k]));
    below = hidden[k];
  }
  auto dbn = std::make_unique<DeepBeliefNet<eT>>(std::move(layers), o.get<std::string>("propagate") == "sample",
                                                 o.get<std::string>("down_pass") == "sample");
  dbn->set_level_epochs(std::move(epochs));
  return dbn;
}

template <typename eT>
template <class Archive>
void DeepBeliefNet<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("model", boost::serialization::base_object<Model<eT>>(*this));
  // Flags and counts as fixed-width integers, the per-level epochs as their
  // count and values: the checked input archives (libebm/archive/
  // input_archives.hpp) bound every field read from a payload.
  std::uint32_t propagate_samples = propagate_samples_, down_samples = down_samples_;
  std::uint64_t trained_levels = trained_levels_, n_epochs = level_epochs_.size();
  ar& boost::serialization::make_nvp("propagate_samples", propagate_samples);
  ar& boost::serialization::make_nvp("down_samples", down_samples);
  ar& boost::serialization::make_nvp("trained_levels", trained_levels);
  ar& boost::serialization::make_nvp("n_level_epochs", n_epochs);
  if (Archive::is_loading::value) {
    if (n_epochs > this->n_connections())
      throw InputError("dbn archive: " + std::to_string(n_epochs) + " per-level epoch counts for " +
                       std::to_string(this->n_connections()) + " levels");
    level_epochs_.assign(n_epochs, 0);
  }
  for (std::uint64_t k = 0; k < n_epochs; ++k) {
    std::uint64_t e = level_epochs_[k];
    ar& boost::serialization::make_nvp("epochs", e);
    level_epochs_[k] = e;
  }
  propagate_samples_ = propagate_samples != 0, down_samples_ = down_samples != 0;
  trained_levels_ = trained_levels;
}

template <typename eT>
std::string DeepBeliefNet<eT>::check_own_structure() const {
  // Model::check_structure() has checked that every layer and connection is
  // present and fits the layers it joins; what is the net's own is here.
  const arma::uword n_layers = this->n_layers(), levels = this->n_connections();
  if (n_layers != 2 * levels)
    return "a dbn needs 2 layers per level, this one has " + std::to_string(n_layers) + " layers and " +
           std::to_string(levels) + " connections";
  for (arma::uword k = 0; k < levels; ++k) {
    const auto* w = dynamic_cast<const DenseConnection<eT>*>(&this->connection(k));
    if (!w || w->from() != 2 * k || w->to() != 2 * k + 1)
      return "connection " + std::to_string(k) + " is not the dense connection of level " + std::to_string(k);
    const auto* labelled = dynamic_cast<const LabelledLayer<eT>*>(&this->layer(2 * k));
    if (labelled && (k == 0 || k + 1 != levels)) return "layer " + std::to_string(2 * k) + " has label units";
    if (k > 0 && (labelled ? labelled->n_features() : this->layer(2 * k).size()) != this->layer(2 * k - 1).size())
      return "level " + std::to_string(k) + " does not fit the level below";
  }
  for (arma::uword l = 0; l < n_layers; l += 2)
    if (dynamic_cast<const LabelledLayer<eT>*>(&this->layer(l + 1))) return "layer " + std::to_string(l + 1) + " has label units";
  if (trained_levels_ > levels) return "more trained levels than levels";
  if (!level_epochs_.empty() && level_epochs_.size() != levels) return "level_epochs does not have one value per level";
  return "";
}

template class DeepBeliefNet<float>;
template class DeepBeliefNet<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ModelKind, ebm::DeepBeliefNet,
             "deep belief net: RBMs stacked and trained greedily, top RBM + directed top-down generation")
