#include "models/boltzmann_machine.hpp"

#include "libebm/error.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

namespace {
constexpr unsigned max_free_energy_log2_states = 20;
}

template <typename eT>
BoltzmannMachine<eT>::BoltzmannMachine(std::unique_ptr<Layer<eT>> visible, std::unique_ptr<Layer<eT>> hidden,
                                       bool visible_lateral, bool hidden_lateral, MeanFieldOptions mean_field)
    : mean_field_(mean_field) {
  const arma::uword nv = visible->size(), nh = hidden->size();
  this->add_layer(std::move(visible));
  this->add_layer(std::move(hidden));
  auto w = std::make_unique<DenseConnection<eT>>(0, 1, nv, nh);
  weights_ = w.get();
  this->add_connection(std::move(w));
  if (visible_lateral) {
    auto l = std::make_unique<LateralConnection<eT>>(0, nv);
    visible_lateral_ = l.get();
    this->add_connection(std::move(l));
  }
  if (hidden_lateral) {
    auto j = std::make_unique<LateralConnection<eT>>(1, nh);
    hidden_lateral_ = j.get();
    this->add_connection(std::move(j));
  }
}

template <typename eT>
void BoltzmannMachine<eT>::positive_phase(const Matrix& data, State<eT>& state) const {
  state.layers.resize(2);
  state.layers[0] = data;
  // Start from the means without the hidden couplings (J mu with mu = 0).
  state.layers[1].zeros(this->layer(1).size(), data.n_cols);
  mean_field(*this, state, {true, false}, mean_field_);
}

template <typename eT>
bool BoltzmannMachine<eT>::has_free_energy() const {
  const double cost = exact_free_energy_cost(*this);
  return cost >= 0 && cost <= max_free_energy_log2_states;
}

template <typename eT>
arma::rowvec BoltzmannMachine<eT>::free_energy(const Matrix& v) const {
  // exact_free_energy refuses (ContractError naming the 2^n states) what is
  // too large to enumerate.
  return exact_free_energy(*this, v, max_free_energy_log2_states);
}

template <typename eT>
void BoltzmannMachine<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("hidden", 100, "number of hidden units", "an integer >= 1",
                           [](const std::uint64_t& n) { return n >= 1; });
  o.declare_choice("visible_units", "bernoulli", UnitsKind::name, "unit type of the visible layer");
  o.declare_choice("hidden_units", "bernoulli", UnitsKind::name, "unit type of the hidden layer");
  o.declare<bool>("visible_lateral", true, "lateral couplings between visible units", "true or false");
  o.declare<bool>("hidden_lateral", true, "lateral couplings between hidden units", "true or false");
  MeanFieldOptions::declare(o, MeanFieldOptions{});
}

template <typename eT>
std::unique_ptr<BoltzmannMachine<eT>> BoltzmannMachine<eT>::create(const BlockOptions& o,
                                                                   const ModelContext<eT>& context) {
  return std::make_unique<BoltzmannMachine<eT>>(
      context.make_layer(o.get<std::string>("visible_units"), context.n_visible),
      context.make_layer(o.get<std::string>("hidden_units"), o.get<std::uint64_t>("hidden")),
      o.get<bool>("visible_lateral"), o.get<bool>("hidden_lateral"), MeanFieldOptions::from(o));
}

template <typename eT>
template <class Archive>
void BoltzmannMachine<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("model", boost::serialization::base_object<Model<eT>>(*this));
  ar& boost::serialization::make_nvp("mean_field", mean_field_);
  if (Archive::is_loading::value) {
    if (this->n_layers() != 2 || this->n_connections() < 1 || this->n_connections() > 3)
      throw InputError("bm archive: expected 2 layers and 1 to 3 connections");
    weights_ = dynamic_cast<DenseConnection<eT>*>(&this->connection(0));
    if (!weights_) throw InputError("bm archive: its first connection is not dense");
    visible_lateral_ = hidden_lateral_ = nullptr;
    for (arma::uword c = 1; c < this->n_connections(); ++c) {
      auto* l = dynamic_cast<LateralConnection<eT>*>(&this->connection(c));
      if (!l) throw InputError("bm archive: connection " + std::to_string(c) + " is not lateral");
      LateralConnection<eT>*& slot = l->layer() == 0 ? visible_lateral_ : hidden_lateral_;
      if (slot || l->layer() > 1) throw InputError("bm archive: lateral connections do not match the layers");
      slot = l;
    }
    if (!(mean_field_.damping >= 0 && mean_field_.damping < 1) || mean_field_.max_iterations < 1)
      throw InputError("bm archive: invalid mean-field options");
  }
}

template class BoltzmannMachine<float>;
template class BoltzmannMachine<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ModelKind, ebm::BoltzmannMachine,
             "general Boltzmann machine: visible and hidden layers, dense weights and lateral couplings")
