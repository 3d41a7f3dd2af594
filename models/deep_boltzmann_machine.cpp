#include "models/deep_boltzmann_machine.hpp"

#include <sstream>

#include "libebm/error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

namespace {
constexpr unsigned max_free_energy_log2_states = 20;
}

template <typename eT>
DeepBoltzmannMachine<eT>::DeepBoltzmannMachine(std::vector<std::unique_ptr<Layer<eT>>> layers,
                                               MeanFieldOptions mean_field)
    : mean_field_(mean_field) {
  if (layers.size() < 2)
    throw ContractError("DeepBoltzmannMachine: needs a visible and at least one hidden layer, got " +
                        std::to_string(layers.size()) + " layers");
  std::vector<arma::uword> sizes;
  for (auto& l : layers) {
    sizes.push_back(l->size());
    this->add_layer(std::move(l));
  }
  for (arma::uword l = 0; l + 1 < sizes.size(); ++l) {
    auto w = std::make_unique<DenseConnection<eT>>(l, l + 1, sizes[l], sizes[l + 1]);
    weights_.push_back(w.get());
    this->add_connection(std::move(w));
  }
}

template <typename eT>
void DeepBoltzmannMachine<eT>::positive_phase(const Matrix& data, State<eT>& state) const {
  state.layers.resize(this->n_layers());
  state.layers[0] = data;
  for (arma::uword l = 1; l < this->n_layers(); ++l) state.layers[l].zeros(this->layer(l).size(), data.n_cols);
  std::vector<bool> clamped(this->n_layers(), false);
  clamped[0] = true;
  mean_field(*this, state, clamped, mean_field_);
}

template <typename eT>
bool DeepBoltzmannMachine<eT>::has_free_energy() const {
  const double cost = exact_free_energy_cost(*this);
  return cost >= 0 && cost <= max_free_energy_log2_states;
}

template <typename eT>
arma::rowvec DeepBoltzmannMachine<eT>::free_energy(const Matrix& v) const {
  // exact_free_energy refuses (ContractError naming the 2^n states) what is
  // too large to enumerate.
  return exact_free_energy(*this, v, max_free_energy_log2_states);
}

template <typename eT>
std::vector<arma::uword> DeepBoltzmannMachine<eT>::parse_sizes(const std::string& text, const std::string& key) {
  std::vector<arma::uword> sizes;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    const std::string t = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    bool digits = !t.empty() && t.size() <= 9;
    for (char ch : t) digits = digits && ch >= '0' && ch <= '9';
    if (!digits || std::stoull(t) == 0)
      throw InputError(key + " = " + text + ": '" + t +
                       "' is not a layer size (expected a comma-separated list of integers >= 1, e.g. 500,1000)");
    sizes.push_back(std::stoull(t));
  }
  if (sizes.empty())
    throw InputError(key + " = " + text + ": expected a comma-separated list of integers >= 1, e.g. 500,1000");
  return sizes;
}

template <typename eT>
void DeepBoltzmannMachine<eT>::declare_options(BlockOptions& o) {
  o.declare<std::string>("hidden", "500,1000", "sizes of the hidden layers, bottom to top",
                         "a comma-separated list of integers >= 1, e.g. 500,1000", [](const std::string& s) {
                           try {
                             parse_sizes(s, "dbm.hidden");
                             return true;
                           } catch (const InputError&) {
                             return false;
                           }
                         });
  o.declare_choice("visible_units", "bernoulli", UnitsKind::name, "unit type of the visible layer");
  o.declare_choice_list("hidden_units", "bernoulli", UnitsKind::name,
                        "unit types of the hidden layers: one for all, or one per layer bottom to top "
                        "(e.g. bernoulli, spin)");
  o.declare<std::uint64_t>("pretrain_epochs", 0,
                           "greedy layer-wise pretraining with weight doubling (Salakhutdinov & Hinton 2009): "
                           "epochs per layer before the joint training (0: none)",
                           "an integer >= 0");
  o.declare<double>("pretrain_learning_rate", 0,
                    "learning rate of the pretraining's update rule (0: the update rule's own learning_rate); joint "
                    "training of a DBM wants a far smaller one than its layer-wise RBMs",
                    "a number >= 0", [](const double& x) { return x >= 0; });
  MeanFieldOptions defaults;
  defaults.damping = 0;  // no lateral couplings: the layer-wise updates do not oscillate
  defaults.max_iterations = 30;
  defaults.tolerance = 1e-5;
  MeanFieldOptions::declare(o, defaults);
}

template <typename eT>
std::unique_ptr<DeepBoltzmannMachine<eT>> DeepBoltzmannMachine<eT>::create(const BlockOptions& o,
                                                                           const ModelContext<eT>& context) {
  std::vector<std::unique_ptr<Layer<eT>>> layers;
  layers.push_back(context.make_layer(o.get<std::string>("visible_units"), context.n_visible));
  const std::vector<arma::uword> sizes = parse_sizes(o.get<std::string>("hidden"), "dbm.hidden");
  const std::vector<std::string> units = choice_list(o.get<std::string>("hidden_units"));
  if (units.size() != 1 && units.size() != sizes.size())
    throw InputError("dbm.hidden_units = " + o.get<std::string>("hidden_units") + ": " + std::to_string(units.size()) +
                     " unit types for " + std::to_string(sizes.size()) +
                     " hidden layers (dbm.hidden); expected one for all, or one per layer");
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    layers.push_back(context.make_layer(units[units.size() == 1 ? 0 : l], sizes[l]));
    // -x^T W y between two Gaussian layers outgrows their quadratic
    // self-energies along some direction once W is large: no distribution.
    if (layers[l]->type_name() == "gaussian" && layers[l + 1]->type_name() == "gaussian")
      throw InputError("dbm.hidden_units: layers " + std::to_string(l) + " and " + std::to_string(l + 1) +
                       " are both gaussian; adjacent real-valued layers make the energy unbounded below "
                       "(expected a binary type such as bernoulli between Gaussian layers)");
  }
  return std::make_unique<DeepBoltzmannMachine<eT>>(std::move(layers), MeanFieldOptions::from(o));
}

template <typename eT>
std::string DeepBoltzmannMachine<eT>::pretraining_progress_problem(arma::uword levels,
                                                                   const std::vector<Matrix>& upper_biases) const {
  const arma::uword n = n_hidden_layers();
  if (levels > n)
    return std::to_string(levels) + " pretrained levels of " + std::to_string(n) + " hidden layers";
  const arma::uword expected = levels == n ? 0 : levels;
  if (upper_biases.size() != expected)
    return std::to_string(upper_biases.size()) + " pretraining biases after " + std::to_string(levels) +
           " levels (expected " + std::to_string(expected) + ")";
  for (arma::uword k = 0; k < upper_biases.size(); ++k)
    if (upper_biases[k].n_rows != this->layer(k + 1).size() || upper_biases[k].n_cols != 1)
      return "pretraining bias " + std::to_string(k) + " is " + std::to_string(upper_biases[k].n_rows) + "x" +
             std::to_string(upper_biases[k].n_cols) + ", layer " + std::to_string(k + 1) + " has " +
             std::to_string(this->layer(k + 1).size()) + " units";
  return "";
}

template <typename eT>
void DeepBoltzmannMachine<eT>::set_pretraining_progress(arma::uword levels, std::vector<Matrix> upper_biases) {
  if (const std::string why = pretraining_progress_problem(levels, upper_biases); !why.empty())
    throw ContractError("DeepBoltzmannMachine::set_pretraining_progress: " + why);
  pretrained_levels_ = levels;
  pretraining_upper_biases_ = std::move(upper_biases);
}

template <typename eT>
template <class Archive>
void DeepBoltzmannMachine<eT>::serialize(Archive& ar, const unsigned int version) {
  ar& boost::serialization::make_nvp("model", boost::serialization::base_object<Model<eT>>(*this));
  ar& boost::serialization::make_nvp("mean_field", mean_field_);
  if (version >= 1) {
    ar& boost::serialization::make_nvp("pretrained_levels", pretrained_levels_);
    ar& boost::serialization::make_nvp("pretraining_upper_biases", pretraining_upper_biases_);
  } else if (Archive::is_loading::value) {
    pretrained_levels_ = this->n_layers() > 0 ? this->n_layers() - 1 : 0;
    pretraining_upper_biases_.clear();
  }
  if (Archive::is_loading::value) {
    if (this->n_layers() < 2 || this->n_connections() != this->n_layers() - 1)
      throw InputError("dbm archive: expected L + 1 layers joined by L connections");
    weights_.clear();
    for (arma::uword c = 0; c < this->n_connections(); ++c) {
      auto* w = dynamic_cast<DenseConnection<eT>*>(&this->connection(c));
      if (!w || w->from() != c || w->to() != c + 1)
        throw InputError("dbm archive: connection " + std::to_string(c) + " does not join layers " + std::to_string(c) +
                         " and " + std::to_string(c + 1) + " with dense weights");
      weights_.push_back(w);
    }
    if (!(mean_field_.damping >= 0 && mean_field_.damping < 1) || mean_field_.max_iterations < 1)
      throw InputError("dbm archive: invalid mean-field options");
    if (const std::string why = pretraining_progress_problem(pretrained_levels_, pretraining_upper_biases_);
        !why.empty())
      throw InputError("dbm archive: " + why);
  }
}

template class DeepBoltzmannMachine<float>;
template class DeepBoltzmannMachine<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ModelKind, ebm::DeepBoltzmannMachine,
             "deep Boltzmann machine: a chain of layers, mean-field positive phase (Salakhutdinov & Hinton 2009)")
