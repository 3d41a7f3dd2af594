#include "samplers/sequential_gibbs_sampler.hpp"

#include "libebm/connections/lateral_connection.hpp"
#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
void SequentialGibbsSampler<eT>::initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains,
                                                   Rng& rng) {
  state.layers.resize(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    model.layer(l).base_input(input_, n_chains);
    model.layer(l).sample(input_, state.layers[l], rng);
  }
}

template <typename eT>
const arma::Mat<eT>* SequentialGibbsSampler<eT>::lateral(const Model<eT>& model, arma::uword l) {
  const arma::Mat<eT>* found = nullptr;
  for (arma::uword c = 0; c < model.n_connections(); ++c) {
    const Connection<eT>& con = model.connection(c);
    if (con.from() != l || con.to() != l) continue;
    const auto* lat = dynamic_cast<const LateralConnection<eT>*>(&con);
    if (!lat || found)
      throw ContractError("SequentialGibbsSampler: layer " + std::to_string(l) + " of model '" + model.type_name() +
                          "' has a coupling inside it that is not a single 'lateral' connection");
    if (!model.layer(l).interaction_is_identity())
      throw ContractError("SequentialGibbsSampler: layer " + std::to_string(l) + " (" + model.layer(l).type_name() +
                          ") has lateral couplings but a non-identity interaction");
    found = &lat->weights();
  }
  return found;
}

template <typename eT>
void SequentialGibbsSampler<eT>::sweep_units(const Layer<eT>& layer, const arma::Mat<eT>& lateral, eT scale,
                                             arma::Mat<eT>& input, arma::Mat<eT>& x, Rng& rng, arma::Mat<eT>& row,
                                             arma::Mat<eT>& draw) {
  for (arma::uword i = 0; i < layer.size(); ++i) {
    // Unit i's input does not depend on x_i (L_ii = 0): draw it, then pass
    // the change on to the other units' inputs.
    row = input.row(i);
    layer.sample(row, draw, rng);
    draw -= x.row(i);  // the change d, one entry per chain
    x.row(i) += draw;
    if (arma::any(arma::vectorise(draw) != eT(0))) {
      if (scale != eT(1)) draw *= scale;
      input += lateral.col(i) * draw;
    }
  }
}

template <typename eT>
void SequentialGibbsSampler<eT>::run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) {
  if (state.layers.size() != model.n_layers())
    throw ContractError("SequentialGibbsSampler::run(): state has " + std::to_string(state.layers.size()) +
                        " layers, model has " + std::to_string(model.n_layers()));
  std::vector<const arma::Mat<eT>*> laterals(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) laterals[l] = lateral(model, l);
  for (unsigned s = 0; s < steps; ++s) {
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      if (laterals[l]) {
        model.total_input(l, state, input_);  // includes L x with the current x
        sweep_units(model.layer(l), *laterals[l], eT(1), input_, state.layers[l], rng, row_, draw_);
      } else {
        model.total_input(l, state, input_);
        model.layer(l).sample(input_, state.layers[l], rng);
      }
    }
  }
}

template <typename eT>
template <class Archive>
void SequentialGibbsSampler<eT>::serialize(Archive& ar, const unsigned int) {
  ar& boost::serialization::make_nvp("sampler", boost::serialization::base_object<Sampler<eT>>(*this));
}

template class SequentialGibbsSampler<float>;
template class SequentialGibbsSampler<double>;

}  // namespace ebm

EBM_REGISTER(ebm::SamplerKind, ebm::SequentialGibbsSampler,
             "Gibbs sampling unit by unit in layers with lateral couplings (any layer graph)")
