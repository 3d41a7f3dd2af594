// Extension point: a model, i.e. layers of units joined by connections.
//
// Every model here is an energy over groups of units,
//     E(x) = sum_l self_energy_l(x_l) - sum_c interaction(x_a)^T W_c interaction(x_b),
// and the log-likelihood gradient of every such model is
//     dlogp/dtheta = <d(-E)/dtheta>_data - <d(-E)/dtheta>_model.
// This class implements everything that follows from the layers and
// connections alone (energy, each layer's total input, the statistics) so
// that one trainer, one set of samplers and one set of monitors serve every
// model.
//
// CONTRACT for a concrete model (see models/rbm.hpp for the reference):
//   - type_name(): its registered name.
//   - Builds its layers and connections in its constructor with add_layer()
//     and add_connection(); layer 0 is the visible layer.
//   - positive_phase(data, state): sets state.layers[0] = data and every
//     other layer to its expectation under p(latent | data) -- exact where
//     the model allows it, a mean-field fixed point otherwise -- such that
//     statistics(state) is the positive ("data") term of the gradient.
//   - positive_phase_by_columns(): true when column j of positive_phase()'s
//     state depends on column j of the data alone and positive_phase() may
//     run at once from several threads on column blocks of one batch, into
//     states that are views of fixed size (libebm/column_blocks.hpp): the
//     estimators then compute it in the chains' blocks.  Default false (a
//     mean-field phase that stops when the whole batch has converged is not).
//   - free_energy(v) when has_free_energy(): -log sum_latent exp(-E(v, latent)).
//   - Optional (defaults follow from the above; a model overrides them when
//     its layers are not simply its positive phase or its sampler's chains,
//     e.g. the deep belief net, models/deep_belief_net.hpp):
//       n_feature_layers() / features(data, l, out): the representation of
//         data in layer l (0: the data), what readouts (libebm/readout/)
//         classify; the default is positive_phase's layer l.
//       generate(sampler, n, steps, rng, visible, mean): n samples of the
//         visible layer; the default runs `sampler` for `steps` from its
//         starting distribution and takes layer 0 (or its conditional mean).
//       n_classes() / class_log_probabilities(data, out): a model with
//         label units classifies by itself (`ebm classify --by model`); the
//         default has none.
//   - Registration (libebm/registry/register.hpp): a static `name`,
//     declare_options(BlockOptions&), create(const BlockOptions&, const
//     ModelContext<eT>&), a default constructor and serialize() that
//     serializes base_object<Model<eT>> (which holds the layers and
//     connections) and restores any cached pointers on load.
#pragma once

#include <armadillo>
#include <memory>
#include <string>
#include <vector>

#include <boost/serialization/access.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/unique_ptr.hpp>
#include <boost/serialization/vector.hpp>

#include "libebm/archive/class_version.hpp"
#include "libebm/connections/connection.hpp"
#include "libebm/gradient_factors.hpp"
#include "libebm/parameter.hpp"
#include "libebm/random.hpp"
#include "libebm/state.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class Sampler;

template <typename eT>
class Model {
 public:
  using Matrix = arma::Mat<eT>;

  virtual ~Model() = default;
  Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  virtual std::string type_name() const = 0;

  arma::uword n_layers() const { return layers_.size(); }
  Layer<eT>& layer(arma::uword l) { return *layers_.at(l); }
  const Layer<eT>& layer(arma::uword l) const { return *layers_.at(l); }
  arma::uword n_connections() const { return connections_.size(); }
  Connection<eT>& connection(arma::uword c) { return *connections_.at(c); }
  const Connection<eT>& connection(arma::uword c) const { return *connections_.at(c); }
  arma::uword n_visible() const { return layers_.at(0)->size(); }

  /// All parameters: each layer's (named "layer<l>.*") then each
  /// connection's ("connection<c>.*").  The order never changes.
  ParameterList<eT> parameters();
  arma::uword n_parameters() const;

  /// Per column, E(state) in double.
  arma::rowvec energy(const State<eT>& state) const;

  /// input <- total input of layer l: its base input plus the messages of
  /// every connection touching it, given the other layers in `state`.
  void total_input(arma::uword l, const State<eT>& state, Matrix& input) const;

  /// out <- batch means of d(-E)/dtheta over the columns of `state`, in the
  /// order of parameters(); `out` is resized as needed.  With `weights`
  /// (one per column), the weighted sums sum_c weights[c] d(-E)/dtheta(x_c).
  void statistics(const State<eT>& state, Statistics<eT>& out, const arma::Row<eT>* weights = nullptr) const;

  /// out <- positive_weight * statistics(positive) - negative_weight *
  /// statistics(negative): an estimator's gradient from its data and model
  /// states (their column counts may differ).  The weights are 1 except in
  /// data-parallel training, where each process's share of the batch means
  /// is weighted by its share of the columns.  Dense connections accumulate
  /// the negative term into `out` with one in-place GEMM; other blocks
  /// compute it into `scratch` and subtract.  Both are resized as needed and
  /// reused between calls.
  void statistics_difference(const State<eT>& positive, const State<eT>& negative, Statistics<eT>& out,
                             Statistics<eT>& scratch, eT positive_weight = 1, eT negative_weight = 1) const;
  /// The same, but the weight term of every dense connection whose two
  /// layers interact through the identity is left as its two outer
  /// products, out.factors[k] = {(pw/B+) X+ Y+^T, -(nw/B-) X- Y-^T}
  /// pointing into `positive` and `negative` (which must outlive their use;
  /// libebm/gradient_factors.hpp); everything else is materialised in
  /// out.gradient as above.  With positive_weight != 1 nothing is factored
  /// (the plain path scales after its first GEMM).
  void statistics_difference(const State<eT>& positive, const State<eT>& negative, FactoredGradient<eT>& out,
                             Statistics<eT>& scratch, eT positive_weight = 1, eT negative_weight = 1) const;

  /// The two colour classes of a bipartite layer graph: colour[l] is 0 or 1,
  /// with colour[0] = 0.  Empty when the graph is not bipartite (lateral
  /// connections, odd cycles), where block Gibbs sampling is not valid.
  std::vector<int> bipartite_colouring() const;

  virtual void positive_phase(const Matrix& data, State<eT>& state) const = 0;
  virtual bool positive_phase_by_columns() const { return false; }

  virtual bool has_free_energy() const { return false; }
  virtual arma::rowvec free_energy(const Matrix& visible) const;

  // --- Features and generation: every model family answers these (added
  // for the deep families, issue 5; defaults through positive_phase and a
  // sampler, so models that need nothing else override nothing). ---

  /// Number of layers features() can return: 0 (the data) .. n-1.
  virtual arma::uword n_feature_layers() const { return n_layers(); }
  /// out <- the representation of `data` (one sample per column) in feature
  /// layer `l`: by default layer l of positive_phase(data), i.e. the
  /// latent expectations given the data.  ContractError for l out of range.
  virtual void features(const Matrix& data, arma::uword l, Matrix& out) const;
  /// visible <- `n` samples of the visible layer (one per column).  Default:
  /// `sampler` runs `steps` steps from its starting distribution on this
  /// model; with `mean`, the visible conditional mean given the chains'
  /// other layers instead of the visible sample (smoother pictures).
  virtual void generate(Sampler<eT>& sampler, arma::uword n, unsigned steps, Rng& rng, Matrix& visible,
                        bool mean) const;

  // --- Classification by the model itself (added with the DBN's label
  // units, issue 5; a model without label units overrides nothing). ---

  /// Number of classes the model can classify by itself (label units joined
  /// to it), or 0.
  virtual arma::uword n_classes() const { return 0; }
  /// out (n_classes() x n, double) <- log p(y = k | data column i) under
  /// the model.  Default: ContractError (no label units).
  virtual void class_log_probabilities(const Matrix& data, arma::mat& out) const;
  /// visible <- one sample per entry of `classes` (column j drawn with the
  /// label units held at class classes[j] < n_classes()), after `steps`
  /// steps of the model's own clamped sampling; with `mean`, the visible
  /// conditional means of the last step.  Default: ContractError (no label
  /// units).
  virtual void generate_class(const arma::urowvec& classes, unsigned steps, Rng& rng, Matrix& visible,
                              bool mean) const;

  /// Data-dependent initialisation: layer 0 from the data
  /// (Layer::initialize_from_data), connections random with `weight_stddev`.
  virtual void initialize(const Matrix& data, Rng& rng, double weight_stddev);

  /// After loading from an archive: "" when every layer and connection is
  /// present, distinct and joins existing layers with matching shapes;
  /// otherwise what is wrong.  Aliased blocks (one object held twice, which
  /// only a crafted archive can produce) are released so that destroying
  /// the model stays safe.
  std::string check_structure();

  /// Centering offsets (issue 9; Melchior, Fischer & Wiskott 2016, "How to
  /// center deep Boltzmann machines"): empty for a model trained without
  /// centering, else one column per layer, offsets()[l] the size of layer l
  /// -- the running mean of its interaction form that centered training
  /// (libebm/training/centering.hpp) subtracts.  They are training state,
  /// not part of the distribution: the parameters are always those of the
  /// ordinary model, so a centered model is evaluated, sampled and saved
  /// like any other.  Archived with the model (so checkpoints resume them).
  const std::vector<Matrix>& offsets() const { return offsets_; }
  std::vector<Matrix>& offsets() { return offsets_; }
  void set_offsets(std::vector<Matrix> offsets) { offsets_ = std::move(offsets); }

 protected:
  /// What a model family checks of its own structure after loading, once
  /// check_structure() has found every layer and connection present and
  /// fitting: "" or what is wrong (e.g. a DBN's levels not stacking).
  virtual std::string check_own_structure() const { return ""; }

  arma::uword add_layer(std::unique_ptr<Layer<eT>> layer);
  arma::uword add_connection(std::unique_ptr<Connection<eT>> connection);

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version) {
    ar& boost::serialization::make_nvp("layers", layers_);
    ar& boost::serialization::make_nvp("connections", connections_);
    // Version 1 (issue 9) adds the centering offsets; version 0 had none.
    if (version >= 1) ar& boost::serialization::make_nvp("offsets", offsets_);
    else offsets_.clear();
  }

  std::vector<std::unique_ptr<Layer<eT>>> layers_;
  std::vector<std::unique_ptr<Connection<eT>>> connections_;
  std::vector<Matrix> offsets_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::Model, 1)
