#include "libebm/partition/annealed_importance_sampling.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "libebm/error.hpp"

namespace ebm {

namespace {

template <typename eT>
void check_model(const Model<eT>& model, const Layer<eT>& base) {
  if (model.n_layers() != 2 || model.n_connections() != 1 || model.bipartite_colouring().empty())
    throw ContractError("AIS: model '" + model.type_name() +
                        "' is not a two-layer model with one connection (AIS for deeper models is its own estimator)");
  if (base.type_name() != model.layer(0).type_name() || base.size() != model.layer(0).size())
    throw ContractError("AIS: the base layer must be of the visible layer's unit type and size");
}

/// The annealing machinery for one model: scratch matrices and the two
/// per-chain quantities every step needs.
template <typename eT>
class Annealer {
 public:
  Annealer(const Model<eT>& model, const Layer<eT>& base, arma::uword chains)
      : model_(model), base_(base), visible_(model.layer(0)), hidden_(model.layer(1)) {
    state_.layers.resize(2);
    state_.layers[1].zeros(hidden_.size(), chains);
    base_.base_input(base_input_, chains);
  }

  arma::Mat<eT>& visible_state() { return state_.layers[0]; }

  /// log Z_0 = log_partition_A(base input) + log_partition_h(0).
  double log_z0() const {
    arma::Mat<eT> one_base, zero(hidden_.size(), 1, arma::fill::zeros);
    base_.base_input(one_base, 1);
    return base_.log_partition(one_base)[0] + hidden_.log_partition(zero)[0];
  }

  /// Computes the hidden total input for the current visible state and the
  /// visible self-energies of model and base (kept until the state moves).
  void observe() {
    model_.total_input(1, state_, hidden_input_);
    self_model_ = visible_.self_energy(state_.layers[0]);
    self_base_ = base_.self_energy(state_.layers[0]);
  }

  /// log f_beta(v) per chain, for the observed state.
  arma::rowvec log_f(double beta) {
    scaled_ = hidden_input_ * eT(beta);
    return -(1 - beta) * self_base_ - beta * self_model_ + hidden_.log_partition(scaled_);
  }

  /// One block Gibbs step at beta from the observed state; then observe().
  void step(double beta, Rng& rng) {
    scaled_ = hidden_input_ * eT(beta);
    hidden_.sample(scaled_, state_.layers[1], rng);
    model_.total_input(0, state_, visible_input_);
    visible_input_ *= eT(beta);
    visible_input_ += eT(1 - beta) * base_input_;
    visible_.sample(visible_input_, state_.layers[0], rng);
    observe();
  }

  /// A draw from the base model p_A.
  void draw_base(Rng& rng) {
    base_.sample(base_input_, state_.layers[0], rng);
    observe();
  }

 private:
  const Model<eT>& model_;
  const Layer<eT>& base_;
  const Layer<eT>& visible_;
  const Layer<eT>& hidden_;
  State<eT> state_;
  arma::Mat<eT> base_input_, hidden_input_, visible_input_, scaled_;
  arma::rowvec self_model_, self_base_;
};

/// log mean exp and the relative standard error of the mean of exp(x).
void summarise(const arma::rowvec& log_w, double& log_mean, double& relative_error) {
  const double m = log_w.max();
  const arma::rowvec w = arma::exp(log_w - m);
  const double mean = arma::mean(w);
  log_mean = m + std::log(mean);
  const double sd = log_w.n_elem > 1 ? arma::stddev(w) : 0.0;
  relative_error = sd / mean / std::sqrt(double(log_w.n_elem));
}

void check_schedule(const std::vector<double>& betas) {
  if (betas.size() < 2 || betas.front() != 0.0 || betas.back() != 1.0)
    throw ContractError("AIS: the schedule must run from beta = 0 to beta = 1");
  for (std::size_t k = 1; k < betas.size(); ++k)
    if (!(betas[k] > betas[k - 1])) throw ContractError("AIS: the schedule must increase strictly");
}

}  // namespace

std::vector<double> annealing_schedule(const std::string& spec) {
  std::vector<double> betas{0.0};
  std::istringstream in(spec);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto colon = part.find(':');
    double end = 0;
    long long steps = 0;
    try {
      if (colon == std::string::npos) throw std::invalid_argument(part);
      std::size_t used = 0;
      end = std::stod(part.substr(0, colon), &used);
      steps = std::stoll(part.substr(colon + 1));
    } catch (const std::exception&) {
      throw InputError("annealing schedule '" + spec + "': '" + part + "' is not END:STEPS");
    }
    const double start = betas.back();
    // A bound on the schedule's length: a typo must not become a huge
    // allocation (the longest schedule in the literature has 14,500).
    if (steps > 10000000 || double(betas.size()) + double(steps) > 10000001.0)
      throw InputError("annealing schedule '" + spec + "': more than 10,000,000 temperatures");
    if (!(end > start) || end > 1.0 || steps < 1)
      throw InputError("annealing schedule '" + spec + "': '" + part + "' must raise beta (now " +
                       std::to_string(start) + ") to at most 1 in at least 1 step");
    for (long long s = 1; s <= steps; ++s) betas.push_back(start + (end - start) * double(s) / double(steps));
    betas.back() = end;
  }
  if (betas.back() != 1.0) throw InputError("annealing schedule '" + spec + "': must end at beta = 1");
  return betas;
}

template <typename eT>
LogPartitionEstimate ais_log_partition(const Model<eT>& model, const Layer<eT>& base, const std::vector<double>& betas,
                                       arma::uword runs, Rng& rng) {
  check_model(model, base);
  check_schedule(betas);
  if (runs == 0) throw ContractError("AIS: at least one run");
  Annealer<eT> a(model, base, runs);
  a.draw_base(rng);
  arma::rowvec log_w(runs, arma::fill::zeros);
  arma::rowvec previous = a.log_f(betas[0]);
  for (std::size_t k = 1; k < betas.size(); ++k) {
    // w *= f_k(v_k) / f_{k-1}(v_k), then move v with a transition that
    // leaves p_k invariant.
    const arma::rowvec current = a.log_f(betas[k]);
    log_w += current - previous;
    if (k + 1 < betas.size()) {
      a.step(betas[k], rng);
      previous = a.log_f(betas[k]);
    }
  }
  double log_mean = 0, relative = 0;
  summarise(log_w, log_mean, relative);
  LogPartitionEstimate e;
  const double log_z0 = a.log_z0();
  e.log_z = log_z0 + log_mean;
  e.standard_error = relative;
  e.log_z_plus_3sigma = e.log_z + std::log1p(3 * relative);
  e.log_z_minus_3sigma = 3 * relative < 1 ? e.log_z + std::log1p(-3 * relative) : -std::numeric_limits<double>::infinity();
  e.runs = runs;
  e.temperatures = betas.size();
  return e;
}

template <typename eT>
LogPartitionEstimate reverse_ais_log_partition(const Model<eT>& model, const Layer<eT>& base,
                                               const std::vector<double>& betas, const arma::Mat<eT>& start,
                                               Rng& rng) {
  check_model(model, base);
  check_schedule(betas);
  if (start.n_cols == 0 || start.n_rows != model.n_visible())
    throw ContractError("reverse AIS: the start states must have one column per chain and one row per visible unit");
  Annealer<eT> a(model, base, start.n_cols);
  a.visible_state() = start;
  a.observe();
  // From p_K = p_B down to p_0: w' *= f_{k-1}(v_k) / f_k(v_k), then move v
  // with a transition leaving p_{k-1} invariant.  E[w'] = Z_0 / Z_K.
  arma::rowvec log_w(start.n_cols, arma::fill::zeros);
  for (std::size_t k = betas.size() - 1; k >= 1; --k) {
    log_w += a.log_f(betas[k - 1]) - a.log_f(betas[k]);
    if (k > 1) a.step(betas[k - 1], rng);
  }
  double log_mean = 0, relative = 0;
  summarise(log_w, log_mean, relative);
  LogPartitionEstimate e;
  const double log_z0 = a.log_z0();
  e.log_z = log_z0 - log_mean;
  e.standard_error = relative;
  // Z_K = Z_0 / mean(w'): the band of mean(w') maps inversely.
  e.log_z_minus_3sigma = e.log_z - std::log1p(3 * relative);
  e.log_z_plus_3sigma = 3 * relative < 1 ? e.log_z - std::log1p(-3 * relative) : std::numeric_limits<double>::infinity();
  e.runs = start.n_cols;
  e.temperatures = betas.size();
  return e;
}

template LogPartitionEstimate ais_log_partition<float>(const Model<float>&, const Layer<float>&,
                                                       const std::vector<double>&, arma::uword, Rng&);
template LogPartitionEstimate ais_log_partition<double>(const Model<double>&, const Layer<double>&,
                                                        const std::vector<double>&, arma::uword, Rng&);
template LogPartitionEstimate reverse_ais_log_partition<float>(const Model<float>&, const Layer<float>&,
                                                               const std::vector<double>&, const arma::Mat<float>&,
                                                               Rng&);
template LogPartitionEstimate reverse_ais_log_partition<double>(const Model<double>&, const Layer<double>&,
                                                                const std::vector<double>&, const arma::Mat<double>&,
                                                                Rng&);

}  // namespace ebm
