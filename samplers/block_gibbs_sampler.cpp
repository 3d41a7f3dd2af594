#include "samplers/block_gibbs_sampler.hpp"

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
const std::vector<int>& BlockGibbsSampler<eT>::colouring(const Model<eT>& model) {
  if (coloured_model_ != &model || colour_.size() != model.n_layers()) {
    colour_ = model.bipartite_colouring();
    if (colour_.empty())
      throw ContractError("BlockGibbsSampler: model '" + model.type_name() +
                          "' has connections inside a layer or an odd cycle of layers; block Gibbs needs a "
                          "bipartite layer graph (use a sequential Gibbs sampler)");
    coloured_model_ = &model;
  }
  return colour_;
}

template <typename eT>
void BlockGibbsSampler<eT>::initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains,
                                              Rng& rng) {
  state.layers.resize(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    model.layer(l).base_input(input_, n_chains);
    model.layer(l).sample(input_, state.layers[l], rng);
  }
}

template <typename eT>
void BlockGibbsSampler<eT>::draw_colour(const Model<eT>& model, State<eT>& state, int colour, Rng& rng,
                                        State<eT>* means) {
  const auto& c = colouring(model);
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    if (c[l] != colour) continue;
    const Layer<eT>& layer = model.layer(l);
    model.total_input(l, state, input_);
    if (!means) {
      layer.sample(input_, state.layers[l], rng);
      continue;
    }
    layer.mean(input_, means->layers[l]);
    // A unit in {0, 1} is 1 with probability equal to its mean, so the
    // mean is all a draw needs; other unit types sample from the input.
    if (layer.is_binary()) rng.fill_bernoulli(means->layers[l], state.layers[l]);
    else layer.sample(input_, state.layers[l], rng);
  }
}

template <typename eT>
void BlockGibbsSampler<eT>::check_state(const Model<eT>& model, const State<eT>& state, const char* caller) const {
  if (state.layers.size() != model.n_layers())
    throw ContractError(std::string("BlockGibbsSampler::") + caller + "(): state has " +
                        std::to_string(state.layers.size()) + " layers, model has " +
                        std::to_string(model.n_layers()));
}

template <typename eT>
void BlockGibbsSampler<eT>::run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) {
  check_state(model, state, "run");
  colouring(model);
  for (unsigned s = 0; s < steps; ++s) {
    draw_colour(model, state, 0, rng);
    draw_colour(model, state, 1, rng);
  }
}

template <typename eT>
void BlockGibbsSampler<eT>::rao_blackwellize(const Model<eT>& model, State<eT>& state) {
  const auto& c = colouring(model);
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    if (c[l] != 1) continue;
    model.total_input(l, state, input_);
    model.layer(l).mean(input_, state.layers[l]);
  }
}

template <typename eT>
void BlockGibbsSampler<eT>::run_and_rao_blackwellize(const Model<eT>& model, State<eT>& state, unsigned steps,
                                                     Rng& rng, State<eT>& expectations) {
  check_state(model, state, "run_and_rao_blackwellize");
  if (steps == 0) {  // no half-step to take the means from
    expectations.layers = state.layers;
    rao_blackwellize(model, expectations);
    return;
  }
  const auto& c = colouring(model);
  expectations.layers.resize(model.n_layers());
  for (unsigned s = 0; s < steps; ++s) {
    draw_colour(model, state, 0, rng);
    draw_colour(model, state, 1, rng, s + 1 == steps ? &expectations : nullptr);
  }
  for (arma::uword l = 0; l < model.n_layers(); ++l)
    if (c[l] == 0) expectations.layers[l] = state.layers[l];
}

template <typename eT>
template <class Archive>
void BlockGibbsSampler<eT>::serialize(Archive& ar, const unsigned int) {
  // Only the scratch space and a cache of the model's colouring live here:
  // nothing to store beyond the type.
  ar& boost::serialization::make_nvp("sampler", boost::serialization::base_object<Sampler<eT>>(*this));
}

template class BlockGibbsSampler<float>;
template class BlockGibbsSampler<double>;

}  // namespace ebm

EBM_REGISTER(ebm::SamplerKind, ebm::BlockGibbsSampler, "block Gibbs sampling of a bipartite layer graph")
