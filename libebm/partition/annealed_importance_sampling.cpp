#include "libebm/partition/annealed_importance_sampling.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "libebm/error.hpp"
#include "samplers/sequential_gibbs_sampler.hpp"

namespace ebm {

namespace {

template <typename eT>
void check_model(const Model<eT>& model, const Layer<eT>& base) {
  if (base.type_name() != model.layer(0).type_name() || base.size() != model.layer(0).size())
    throw ContractError("AIS: the base layer must be of the visible layer's unit type and size");
}

/// The annealing machinery for one bipartite model: colour class A (the
/// visible layer and, in a DBM, the other even layers) carries the chains,
/// class B (the odd layers) is summed out analytically (Salakhutdinov &
/// Hinton 2009, section 4: "AIS on the DBM with the odd layers summed
/// out").  For an RBM, A = {visible} and B = {hidden}.
///
///   log f_beta(x_A) = -(1 - beta) self_base(v) - beta sum_{l in A} self_l(x_l)
///                     + sum_{l in B} log_partition_l(beta * input_l(x_A))
///
/// The base model p_0 is the base-rate visible layer with the other layers
/// of A uniform over their states (their tempered inputs are 0 at beta = 0).
///
/// A layer graph that is not bipartite (lateral couplings: a general BM)
/// anneals the same way with B any set of layers with no connection inside
/// it (possibly empty), the energy terms of the connections inside A added
/// to -beta E_A, and the laterally coupled layers of A drawn unit by unit at
/// inverse temperature beta (SequentialGibbsSampler::sweep_units).
template <typename eT>
class Annealer {
 public:
  Annealer(const Model<eT>& model, const Layer<eT>& base, arma::uword chains, AnnealingPath path)
      : model_(model),
        base_(path == AnnealingPath::couplings ? model.layer(0) : base),
        visible_(model.layer(0)),
        keep_biases_(path == AnnealingPath::couplings) {
    const std::vector<int> colour = model.bipartite_colouring();
    if (!colour.empty()) {
      for (arma::uword l = 0; l < model.n_layers(); ++l) (colour[l] == 0 ? a_ : b_).push_back(l);
    } else {
      // Greedily sum out every latent layer that has no connection to itself
      // or to a layer already summed out.
      std::vector<bool> in_b(model.n_layers(), false);
      for (arma::uword l = 1; l < model.n_layers(); ++l) {
        bool free = true;
        for (arma::uword c = 0; c < model.n_connections(); ++c) {
          const Connection<eT>& con = model.connection(c);
          if ((con.from() == l && (con.to() == l || in_b[con.to()])) || (con.to() == l && in_b[con.from()]))
            free = false;
        }
        in_b[l] = free;
      }
      for (arma::uword l = 0; l < model.n_layers(); ++l) (in_b[l] ? b_ : a_).push_back(l);
      std::vector<bool> in_a(model.n_layers(), false);
      for (arma::uword l : a_) in_a[l] = true;
      for (arma::uword c = 0; c < model.n_connections(); ++c)
        if (in_a[model.connection(c).from()] && in_a[model.connection(c).to()]) internal_.push_back(c);
    }
    laterals_.resize(model.n_layers(), nullptr);
    for (arma::uword l : a_) laterals_[l] = SequentialGibbsSampler<eT>::lateral(model, l);
    state_.layers.resize(model.n_layers());
    for (arma::uword l = 0; l < model.n_layers(); ++l) state_.layers[l].zeros(model.layer(l).size(), chains);
    // Every tempered input is beta * (total input) + (1 - beta) * anchor_l:
    // the anchor of the visible layer is the base layer's input, that of a
    // latent layer its own bias input on the couplings path (its own terms
    // then stay on at every beta) and nothing on the base-rate path.
    anchors_.resize(model.n_layers());
    base_.base_input(anchors_[0], chains);
    if (keep_biases_)
      for (arma::uword l = 1; l < model.n_layers(); ++l) model.layer(l).base_input(anchors_[l], chains);
    inputs_.resize(model.n_layers());
  }

  /// True when class A is the visible layer alone (a two-layer model).
  bool visible_only() const { return a_.size() == 1; }

  /// log Z_0 = sum over layers of log_partition_l(anchor_l), the base
  /// layer's for the visible one, 0 for a latent layer without an anchor.
  double log_z0() const {
    double z = 0;
    for (arma::uword l = 0; l < model_.n_layers(); ++l) {
      const Layer<eT>& layer = l == 0 ? base_ : model_.layer(l);
      const arma::Mat<eT> one =
          anchors_[l].is_empty() ? arma::Mat<eT>(layer.size(), 1, arma::fill::zeros) : arma::Mat<eT>(anchors_[l].col(0));
      z += layer.log_partition(one)[0];
    }
    return z;
  }

  /// Computes the inputs of class B for the current state of class A and
  /// the self-energies of A under model and base (kept until A moves).
  void observe() {
    for (arma::uword l : b_) model_.total_input(l, state_, inputs_[l]);
    self_visible_ = visible_.self_energy(state_.layers[0]);
    self_latent_.zeros(state_.n_cols());
    for (std::size_t i = 1; i < a_.size(); ++i) self_latent_ += model_.layer(a_[i]).self_energy(state_.layers[a_[i]]);
    coupling_energy_.zeros(state_.n_cols());
    for (arma::uword c : internal_) {
      const Connection<eT>& con = model_.connection(c);
      const Layer<eT>& a = model_.layer(con.from());
      const Layer<eT>& b = model_.layer(con.to());
      if (a.interaction_is_identity() && b.interaction_is_identity()) {
        coupling_energy_ += con.energy(state_.layers[con.from()], state_.layers[con.to()]);
      } else {
        arma::Mat<eT> ia, ib;
        a.interaction(state_.layers[con.from()], ia);
        b.interaction(state_.layers[con.to()], ib);
        coupling_energy_ += con.energy(ia, ib);
      }
    }
    self_base_ = base_.self_energy(state_.layers[0]);
  }

  /// log f_beta(x_A) per chain, for the observed state.
  arma::rowvec log_f(double beta) {
    arma::rowvec f = -(1 - beta) * self_base_ - beta * self_visible_ - lambda(beta) * self_latent_ -
                     beta * coupling_energy_;
    for (arma::uword l : b_) {
      temper(inputs_[l], l, beta, scaled_);
      f += model_.layer(l).log_partition(scaled_);
    }
    return f;
  }

  /// One block Gibbs step at beta from the observed state (B given A, then
  /// A given B); then observe().  With `clamp_visible`, layer 0 keeps its
  /// state: at beta = 1 a Gibbs step of p(latent | v).
  void step(double beta, Rng& rng, bool clamp_visible = false) {
    for (arma::uword l : b_) {
      temper(inputs_[l], l, beta, scaled_);
      model_.layer(l).sample(scaled_, state_.layers[l], rng);
    }
    for (arma::uword l : a_) {
      if (clamp_visible && l == 0) continue;
      model_.total_input(l, state_, scaled_);
      temper(scaled_, l, beta, input_);
      if (laterals_[l])
        SequentialGibbsSampler<eT>::sweep_units(model_.layer(l), *laterals_[l], eT(beta), input_, state_.layers[l], rng,
                                                row_, draw_);
      else
        model_.layer(l).sample(input_, state_.layers[l], rng);
    }
    observe();
  }

  /// Reverse AIS's start: the visible layer at `visible`; the other layers
  /// of class A (a DBM's even hidden layers) drawn from p(. | v) by
  /// `clamped_steps` Gibbs steps at beta = 1 with v clamped, started at the
  /// model's positive phase (its mean-field means), so that (v, x_A) is
  /// approximately a model sample whenever v is (Burda, Grosse &
  /// Salakhutdinov 2015 start RAISE from data the same way).
  void start_from(const arma::Mat<eT>& visible, arma::uword clamped_steps, Rng& rng) {
    state_.layers[0] = visible;
    if (!visible_only()) {
      State<eT> q;
      model_.positive_phase(visible, q);
      for (std::size_t i = 1; i < a_.size(); ++i) state_.layers[a_[i]] = q.layers[a_[i]];
      observe();
      for (arma::uword s = 0; s < clamped_steps; ++s) step(1.0, rng, true);
    }
    observe();
  }

  /// A draw from the base model p_0.
  void draw_base(Rng& rng) {
    base_.sample(anchors_[0], state_.layers[0], rng);
    for (std::size_t i = 1; i < a_.size(); ++i) {
      const arma::uword l = a_[i];
      if (keep_biases_)
        input_ = anchors_[l];
      else
        input_.zeros(model_.layer(l).size(), state_.n_cols());
      model_.layer(l).sample(input_, state_.layers[l], rng);
    }
    observe();
  }

 private:
  /// How much of the latent layers' own terms (biases, self-energies) is
  /// switched on at beta: all of it on the couplings path, beta on the
  /// base-rate path.
  double lambda(double beta) const { return keep_biases_ ? 1.0 : beta; }

  /// out = beta * total + (1 - beta) * anchor_l (see the constructor).
  void temper(const arma::Mat<eT>& total, arma::uword l, double beta, arma::Mat<eT>& out) const {
    if (anchors_[l].is_empty())
      out = eT(beta) * total;
    else
      out = eT(beta) * total + eT(1 - beta) * anchors_[l];
  }

  const Model<eT>& model_;
  const Layer<eT>& base_;
  const Layer<eT>& visible_;
  const bool keep_biases_;  // AnnealingPath::couplings
  std::vector<arma::uword> a_, b_;
  std::vector<arma::uword> internal_;  // connections inside A (none when bipartite)
  std::vector<const arma::Mat<eT>*> laterals_;
  State<eT> state_;
  std::vector<arma::Mat<eT>> inputs_;   // total inputs of the summed-out layers
  std::vector<arma::Mat<eT>> anchors_;  // per layer, broadcast (see the constructor); empty: none
  arma::Mat<eT> input_, scaled_, row_, draw_;
  arma::rowvec self_visible_, self_latent_, coupling_energy_, self_base_;
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

std::vector<AnnealingPath> annealing_paths(const std::string& name) {
  if (name == "base_rate") return {AnnealingPath::base_rate};
  if (name == "couplings") return {AnnealingPath::couplings};
  if (name == "both") return {AnnealingPath::base_rate, AnnealingPath::couplings};
  throw InputError("annealing path '" + name + "': expected base_rate, couplings or both");
}

const char* annealing_path_name(AnnealingPath path) {
  return path == AnnealingPath::couplings ? "couplings" : "base_rate";
}

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
                                       arma::uword runs, Rng& rng, AnnealingPath path) {
  check_model(model, base);
  check_schedule(betas);
  if (runs == 0) throw ContractError("AIS: at least one run");
  Annealer<eT> a(model, base, runs, path);
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
PathEstimates ais_log_partition_on_paths(const Model<eT>& model, const Layer<eT>& base,
                                         const std::vector<double>& betas, arma::uword runs, Rng& rng,
                                         const std::vector<AnnealingPath>& paths) {
  if (paths.empty()) throw ContractError("AIS: at least one annealing path");
  PathEstimates e;
  for (AnnealingPath path : paths) {
    e.each.emplace_back(path, ais_log_partition(model, base, betas, runs, rng, path));
    if (e.each.size() == 1 || e.each.back().second.log_z > e.best.log_z) {
      e.best = e.each.back().second;
      e.best_path = path;
    }
  }
  return e;
}

template <typename eT>
LogPartitionEstimate reverse_ais_log_partition(const Model<eT>& model, const Layer<eT>& base,
                                               const std::vector<double>& betas, const arma::Mat<eT>& start, Rng& rng,
                                               arma::uword clamped_steps, AnnealingPath path) {
  check_model(model, base);
  check_schedule(betas);
  if (start.n_cols == 0 || start.n_rows != model.n_visible())
    throw ContractError("reverse AIS: the start states must have one column per chain and one row per visible unit");
  Annealer<eT> a(model, base, start.n_cols, path);
  a.start_from(start, clamped_steps, rng);
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
                                                       const std::vector<double>&, arma::uword, Rng&, AnnealingPath);
template LogPartitionEstimate ais_log_partition<double>(const Model<double>&, const Layer<double>&,
                                                        const std::vector<double>&, arma::uword, Rng&, AnnealingPath);
template PathEstimates ais_log_partition_on_paths<float>(const Model<float>&, const Layer<float>&,
                                                         const std::vector<double>&, arma::uword, Rng&,
                                                         const std::vector<AnnealingPath>&);
template PathEstimates ais_log_partition_on_paths<double>(const Model<double>&, const Layer<double>&,
                                                          const std::vector<double>&, arma::uword, Rng&,
                                                          const std::vector<AnnealingPath>&);
template LogPartitionEstimate reverse_ais_log_partition<float>(const Model<float>&, const Layer<float>&,
                                                               const std::vector<double>&, const arma::Mat<float>&,
                                                               Rng&, arma::uword, AnnealingPath);
template LogPartitionEstimate reverse_ais_log_partition<double>(const Model<double>&, const Layer<double>&,
                                                                const std::vector<double>&, const arma::Mat<double>&,
                                                                Rng&, arma::uword, AnnealingPath);

}  // namespace ebm
