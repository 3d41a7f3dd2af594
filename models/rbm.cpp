#include "models/rbm.hpp"

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
Rbm<eT>::Rbm(std::unique_ptr<Layer<eT>> visible, std::unique_ptr<Layer<eT>> hidden) {
  const arma::uword nv = visible->size(), nh = hidden->size();
  this->add_layer(std::move(visible));
  this->add_layer(std::move(hidden));
  auto w = std::make_unique<DenseConnection<eT>>(0, 1, nv, nh);
  weights_ = w.get();
  this->add_connection(std::move(w));
}

template <typename eT>
void Rbm<eT>::hidden_input(const Matrix& v, Matrix& input) const {
  hidden().base_input(input, v.n_cols);
  if (visible().interaction_is_identity()) {
    weights_->add_message(1, v, input);
  } else {
    Matrix iv;
    visible().interaction(v, iv);
    weights_->add_message(1, iv, input);
  }
}

template <typename eT>
void Rbm<eT>::visible_input(const Matrix& h, Matrix& input) const {
  visible().base_input(input, h.n_cols);
  if (hidden().interaction_is_identity()) {
    weights_->add_message(0, h, input);
  } else {
    Matrix ih;
    hidden().interaction(h, ih);
    weights_->add_message(0, ih, input);
  }
}

template <typename eT>
void Rbm<eT>::positive_phase(const Matrix& data, State<eT>& state) const {
  state.layers.resize(2);
  state.layers[0] = data;
  Matrix input;
  hidden_input(data, input);
  hidden().mean(input, state.layers[1]);
}

template <typename eT>
arma::rowvec Rbm<eT>::free_energy(const Matrix& v) const {
  Matrix input;
  hidden_input(v, input);
  return visible().self_energy(v) - hidden().log_partition(input);
}

template <typename eT>
arma::rowvec Rbm<eT>::hidden_free_energy(const Matrix& h) const {
  Matrix input;
  visible_input(h, input);
  return hidden().self_energy(h) - visible().log_partition(input);
}

template <typename eT>
void Rbm<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("hidden", 100, "number of hidden units", "an integer >= 1",
                           [](const std::uint64_t& n) { return n >= 1; });
  o.declare_choice("visible_units", "bernoulli", UnitsKind::name, "unit type of the visible layer");
  o.declare_choice("hidden_units", "bernoulli", UnitsKind::name, "unit type of the hidden layer");
}

template <typename eT>
std::unique_ptr<Rbm<eT>> Rbm<eT>::create(const BlockOptions& o, const ModelContext<eT>& context) {
  return std::make_unique<Rbm<eT>>(context.make_layer(o.get<std::string>("visible_units"), context.n_visible),
                                   context.make_layer(o.get<std::string>("hidden_units"), o.get<std::uint64_t>("hidden")));
}

template <typename eT>
template <class Archive>
void Rbm<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("model", boost::serialization::base_object<Model<eT>>(*this));
  if (Archive::is_loading::value) {
    if (this->n_layers() != 2 || this->n_connections() != 1)
      throw InputError("rbm archive: expected 2 layers and 1 connection");
    // Null, aliased or misshapen blocks (a crafted payload) before anything
    // is dereferenced: connection(0) binds a reference.
    if (const std::string problem = this->check_structure(); !problem.empty())
      throw InputError("rbm archive: " + problem);
    weights_ = dynamic_cast<DenseConnection<eT>*>(&this->connection(0));
    if (!weights_) throw InputError("rbm archive: its connection is not dense");
  }
}

template class Rbm<float>;
template class Rbm<double>;

}  // namespace ebm

EBM_REGISTER(ebm::ModelKind, ebm::Rbm, "restricted Boltzmann machine: a visible and a hidden layer, dense weights")
