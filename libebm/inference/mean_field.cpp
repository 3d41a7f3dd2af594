#include "libebm/inference/mean_field.hpp"

#include <cmath>

#include "libebm/error.hpp"

namespace ebm {

void MeanFieldOptions::declare(BlockOptions& o, const MeanFieldOptions& d) {
  o.declare<double>("mean_field_damping", d.damping,
                    "mean-field positive phase: weight of the previous means in each update", "a number in [0, 1)",
                    [](const double& x) { return x >= 0 && x < 1; });
  o.declare<std::uint64_t>("mean_field_iterations", d.max_iterations,
                           "mean-field positive phase: most sweeps over the latent layers", "an integer >= 1",
                           [](const std::uint64_t& n) { return n >= 1 && n <= 100000; });
  o.declare<double>("mean_field_tolerance", d.tolerance,
                    "mean-field positive phase: stop when no mean changes by more than this", "a number >= 0",
                    [](const double& x) { return x >= 0; });
}

MeanFieldOptions MeanFieldOptions::from(const BlockOptions& o) {
  MeanFieldOptions m;
  m.damping = o.get<double>("mean_field_damping");
  m.max_iterations = unsigned(o.get<std::uint64_t>("mean_field_iterations"));
  m.tolerance = o.get<double>("mean_field_tolerance");
  return m;
}

template <typename eT>
unsigned mean_field(const Model<eT>& model, State<eT>& state, const std::vector<bool>& clamped,
                    const MeanFieldOptions& options) {
  if (state.layers.size() != model.n_layers() || clamped.size() != model.n_layers())
    throw ContractError("mean_field(): state and clamped must have one entry per layer of the model");
  arma::Mat<eT> input, next;
  const eT damping = eT(options.damping);
  unsigned sweep = 0;
  while (sweep < options.max_iterations) {
    ++sweep;
    double change = 0;
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      if (clamped[l]) continue;
      model.total_input(l, state, input);
      model.layer(l).mean(input, next);
      // The first sweep is undamped: damping towards the arbitrary starting
      // values would only slow the iteration down.
      if (damping > eT(0) && sweep > 1) next = damping * state.layers[l] + (eT(1) - damping) * next;
      if (next.n_elem) change = std::max(change, double(arma::abs(next - state.layers[l]).max()));
      state.layers[l].swap(next);
    }
    if (change < options.tolerance) break;
  }
  return sweep;
}

template <typename eT>
double mean_field_residual(const Model<eT>& model, const State<eT>& state, const std::vector<bool>& clamped) {
  arma::Mat<eT> input, m;
  double r = 0;
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    if (clamped[l]) continue;
    model.total_input(l, state, input);
    model.layer(l).mean(input, m);
    if (m.n_elem) r = std::max(r, double(arma::abs(m - state.layers[l]).max()));
  }
  return r;
}

template unsigned mean_field<float>(const Model<float>&, State<float>&, const std::vector<bool>&,
                                    const MeanFieldOptions&);
template unsigned mean_field<double>(const Model<double>&, State<double>&, const std::vector<bool>&,
                                     const MeanFieldOptions&);
template double mean_field_residual<float>(const Model<float>&, const State<float>&, const std::vector<bool>&);
template double mean_field_residual<double>(const Model<double>&, const State<double>&, const std::vector<bool>&);

}  // namespace ebm
