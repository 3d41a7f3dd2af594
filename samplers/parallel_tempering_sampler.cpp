#include "samplers/parallel_tempering_sampler.hpp"

#include <cmath>
#include <utility>

#include "libebm/error.hpp"
#include "libebm/registry/register.hpp"

namespace ebm {

template <typename eT>
ParallelTemperingSampler<eT>::ParallelTemperingSampler(arma::uword temperatures, double min_beta) {
  if (temperatures < 2) throw InputError("parallel_tempering.temperatures must be >= 2");
  if (!(min_beta > 0 && min_beta <= 1)) throw InputError("parallel_tempering.min_beta must be in (0, 1]");
  for (arma::uword m = 0; m < temperatures; ++m)
    betas_.push_back(1.0 - (1.0 - min_beta) * double(m) / double(temperatures - 1));
  accepted_.assign(temperatures - 1, 0.0);
  proposed_.assign(temperatures - 1, 0.0);
}

template <typename eT>
void ParallelTemperingSampler<eT>::declare_options(BlockOptions& o) {
  o.declare<std::uint64_t>("temperatures", 10, "replicas per chain, at inverse temperatures from 1 to min_beta",
                           "an integer >= 2", [](const std::uint64_t& n) { return n >= 2; });
  o.declare<double>("min_beta", 0.1, "the hottest replica's inverse temperature", "a number in (0, 1]",
                    [](const double& b) { return b > 0 && b <= 1; });
}

template <typename eT>
std::unique_ptr<ParallelTemperingSampler<eT>> ParallelTemperingSampler<eT>::create(const BlockOptions& o) {
  return std::make_unique<ParallelTemperingSampler<eT>>(o.get<std::uint64_t>("temperatures"), o.get<double>("min_beta"));
}

template <typename eT>
void ParallelTemperingSampler<eT>::gibbs_step(const Model<eT>& model, State<eT>& state, double beta, Rng& rng) {
  const std::vector<int> colour = model.bipartite_colouring();
  if (colour.empty())
    throw ContractError("ParallelTemperingSampler: model '" + model.type_name() +
                        "' does not have a bipartite layer graph");
  for (int c : {1, 0}) {
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      if (colour[l] != c) continue;
      model.total_input(l, state, input_);
      if (beta != 1.0) input_ *= eT(beta);
      model.layer(l).sample(input_, state.layers[l], rng);
    }
  }
}

template <typename eT>
void ParallelTemperingSampler<eT>::ensure_replicas(const Model<eT>& model, arma::uword n_chains, Rng& rng) {
  if (hot_.size() == betas_.size() - 1 && !hot_.empty() && hot_[0].n_cols() == n_chains &&
      hot_[0].layers.size() == model.n_layers())
    return;
  hot_.assign(betas_.size() - 1, State<eT>{});
  for (auto& replica : hot_) {
    replica.layers.resize(model.n_layers());
    for (arma::uword l = 0; l < model.n_layers(); ++l) {
      model.layer(l).base_input(input_, n_chains);
      model.layer(l).sample(input_, replica.layers[l], rng);
    }
  }
}

template <typename eT>
void ParallelTemperingSampler<eT>::initialize_chains(const Model<eT>& model, State<eT>& state, arma::uword n_chains,
                                                     Rng& rng) {
  state.layers.resize(model.n_layers());
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    model.layer(l).base_input(input_, n_chains);
    model.layer(l).sample(input_, state.layers[l], rng);
  }
  hot_.clear();
  ensure_replicas(model, n_chains, rng);
}

template <typename eT>
void ParallelTemperingSampler<eT>::run(const Model<eT>& model, State<eT>& state, unsigned steps, Rng& rng) {
  if (state.layers.size() != model.n_layers())
    throw ContractError("ParallelTemperingSampler::run(): state has " + std::to_string(state.layers.size()) +
                        " layers, model has " + std::to_string(model.n_layers()));
  const arma::uword n = state.n_cols();
  ensure_replicas(model, n, rng);
  auto replica = [&](std::size_t m) -> State<eT>& { return m == 0 ? state : hot_[m - 1]; };
  for (unsigned s = 0; s < steps; ++s, ++steps_) {
    for (std::size_t m = 0; m < betas_.size(); ++m) gibbs_step(model, replica(m), betas_[m], rng);
    for (std::size_t m = steps_ % 2; m + 1 < betas_.size(); m += 2) {
      State<eT>& a = replica(m);
      State<eT>& b = replica(m + 1);
      const arma::rowvec ea = model.energy(a), eb = model.energy(b);
      const double db = betas_[m] - betas_[m + 1];
      for (arma::uword c = 0; c < n; ++c) {
        const double log_accept = db * (ea[c] - eb[c]);
        proposed_[m] += 1;
        if (log_accept >= 0 || std::log(rng.uniform<double>()) < log_accept) {
          accepted_[m] += 1;
          for (arma::uword l = 0; l < a.layers.size(); ++l) {
            eT* x = a.layers[l].colptr(c);
            eT* y = b.layers[l].colptr(c);
            for (arma::uword r = 0; r < a.layers[l].n_rows; ++r) std::swap(x[r], y[r]);
          }
        }
      }
    }
  }
}

template <typename eT>
void ParallelTemperingSampler<eT>::rao_blackwellize(const Model<eT>& model, State<eT>& state) {
  const std::vector<int> colour = model.bipartite_colouring();
  for (arma::uword l = 0; l < model.n_layers(); ++l) {
    if (colour.empty() || colour[l] != 1) continue;
    model.total_input(l, state, input_);
    model.layer(l).mean(input_, state.layers[l]);
  }
}

template <typename eT>
std::vector<double> ParallelTemperingSampler<eT>::swap_rates() const {
  std::vector<double> r(accepted_.size(), 0.0);
  for (std::size_t m = 0; m < r.size(); ++m) r[m] = proposed_[m] > 0 ? accepted_[m] / proposed_[m] : 0.0;
  return r;
}

template <typename eT>
template <class Archive>
void ParallelTemperingSampler<eT>::serialize(Archive& ar, const unsigned int) {
  using boost::serialization::make_nvp;
  ar& make_nvp("sampler", boost::serialization::base_object<Sampler<eT>>(*this));
  ar& make_nvp("betas", betas_);
  std::vector<std::vector<arma::Mat<eT>>> replicas;
  for (const auto& h : hot_) replicas.push_back(h.layers);
  ar& make_nvp("replicas", replicas);  // the hot chains persist in checkpoints
  hot_.resize(replicas.size());
  for (std::size_t m = 0; m < replicas.size(); ++m) hot_[m].layers = std::move(replicas[m]);
  ar& make_nvp("accepted", accepted_);
  ar& make_nvp("proposed", proposed_);
  ar& make_nvp("steps", steps_);
}

template class ParallelTemperingSampler<float>;
template class ParallelTemperingSampler<double>;

}  // namespace ebm

EBM_REGISTER(ebm::SamplerKind, ebm::ParallelTemperingSampler,
             "parallel tempering: replicas at several temperatures with neighbour swaps (Desjardins et al. 2010)")
