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

namespace {

// input += the message of connection c into layer `target` from its other
// end (the same layer for a lateral connection), in interaction form.
template <typename eT>
void add_message(const Model<eT>& model, const Connection<eT>& c, arma::uword target, const State<eT>& state,
                 arma::Mat<eT>& input, arma::Mat<eT>& scratch) {
  const arma::uword source = c.from() == target ? c.to() : c.from();
  const Layer<eT>& layer = model.layer(source);
  if (layer.interaction_is_identity()) {
    c.add_message(target, state.layers[source], input);
  } else {
    layer.interaction(state.layers[source], scratch);
    c.add_message(target, scratch, input);
  }
}

}  // namespace

template <typename eT>
unsigned mean_field(const Model<eT>& model, State<eT>& state, const std::vector<bool>& clamped,
                    const MeanFieldOptions& options) {
  if (state.layers.size() != model.n_layers() || clamped.size() != model.n_layers())
    throw ContractError("mean_field(): state and clamped must have one entry per layer of the model");
  // The part of each free layer's total input that does not change between
  // sweeps -- its bias and the messages from clamped layers (W1^T v in a
  // DBM) -- is computed once; each sweep adds the messages from free layers.
  std::vector<arma::Mat<eT>> fixed(model.n_layers());
  std::vector<std::vector<arma::uword>> moving(model.n_layers());
  arma::Mat<eT> input, next, scratch;
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    if (clamped[l]) continue;
    model.layer(l).base_input(fixed[l], state.n_cols());
    for (arma::uword c = 0; c < model.n_connections(); ++c) {
      const Connection<eT>& con = model.connection(c);
      if (con.from() != l && con.to() != l) continue;
      const arma::uword other = con.from() == l ? con.to() : con.from();
      if (other != l && clamped[other])
        add_message(model, con, l, state, fixed[l], scratch);
      else
        moving[l].push_back(c);
    }
  }
  const eT damping = eT(options.damping);
  unsigned sweep = 0;
  while (sweep < options.max_iterations) {
    ++sweep;
    double change = 0;
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      if (clamped[l]) continue;
      input = fixed[l];
      for (arma::uword c : moving[l]) add_message(model, model.connection(c), l, state, input, scratch);
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
