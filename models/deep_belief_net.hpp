// Deep belief net: a stack of RBMs trained greedily, one level at a time
// (Hinton, Osindero & Teh 2006, "A fast learning algorithm for deep belief
// nets", Neural Computation 18).
//
// Level k (0-based) is an RBM between x_k and x_{k+1}, with x_0 the data.
// The generative model is the top RBM over (x_{L-1}, x_L) followed by the
// directed conditionals p(x_k | x_{k+1}) of the lower RBMs (their visible
// conditionals); recognition (the "up pass") uses the lower RBMs' hidden
// conditionals q(x_{k+1} | x_k).  Each level keeps both of its biases, so a
// unit of x_k has a generative bias (level k's visible bias) and a
// recognition bias (level k-1's hidden bias), as in the paper.
//
// Storage: the model's layers are the levels' layers in order, level k's
// visible layer at 2k and hidden layer at 2k+1, and its connections are the
// levels' weights, connection k joining 2k and 2k+1.  So the generic Model
// machinery (parameters(), archives, filters of connection 0, the
// reconstruction of layer 0 through level 0) works unchanged; energy() is
// that of L independent RBMs, which only means something level by level.
//
// Training: greedy, through the ONE trainer.  experiment.cpp trains each
// level as a stand-alone Rbm (level(k)) with the run's estimator, sampler,
// update rule and monitors, on the previous level's up-pass activations
// (`propagate` = mean or sample), then copies it back (set_level(k)).
// `trained_levels()` records the progress, so a checkpoint written at a
// level boundary resumes there.
//
// Label units (Hinton, Osindero & Teh 2006, section 6): with `dbn.labels =
// K` the top RBM's visible layer x_{L-1} is a LabelledLayer, the
// penultimate layer's units followed by one softmax group of K labels, so
// the top RBM models the joint of [x_{L-1}; y].  Greedy training gives it
// the data [up-pass features; one-hot label] (experiment.cpp), through the
// same trainer; the net classifies x by the free energy of the top RBM with
// each label clamped: p(y = k | x) = exp(-F([h; e_k])) / sum_l exp(-F([h; e_l])),
// h the mean up pass to x_{L-1} (class_log_probabilities()).  Where no label
// is given (features(), positive_phase(), the up pass into the top layer)
// the label units are 0: they send the top layer no message.
//
// Unit types: x_0 has `visible_units`; x_1 .. x_L have `hidden_units`, one
// name for all or one per hidden layer (x_k and the visible layer of level k
// are the same layer of the generative model, so they share a type).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libebm/archive/class_version.hpp"
#include "libebm/model.hpp"
#include "libebm/registry/kinds.hpp"
#include "libebm/units/labelled_layer.hpp"
#include "models/rbm.hpp"

namespace ebm {

template <typename eT>
class DeepBeliefNet : public Model<eT> {
 public:
  using Matrix = arma::Mat<eT>;

  /// `layers` holds 2L layers: level k's visible layer at 2k and hidden
  /// layer at 2k+1 (hidden of level k and visible of level k+1 of equal
  /// size).  Layer 2(L-1), the top RBM's visible layer, may be a
  /// LabelledLayer (label units; L >= 2) whose feature part has the size of
  /// layer 2L-3.  Weights start at zero.  ContractError for a bad stack.
  explicit DeepBeliefNet(std::vector<std::unique_ptr<Layer<eT>>> layers, bool propagate_samples = false,
                         bool down_samples = true);

  static constexpr const char* name = "dbn";
  std::string type_name() const override { return name; }
  /// [dbn]: hidden (list), visible_units, hidden_units (one or a list), labels, propagate,
  /// down_pass, level_epochs.
  static void declare_options(BlockOptions& options);
  static std::unique_ptr<DeepBeliefNet> create(const BlockOptions& options, const ModelContext<eT>& context);

  arma::uword n_levels() const { return this->n_connections(); }
  /// Sizes of x_0 (the data), x_1, ..., x_L.
  std::vector<arma::uword> layer_sizes() const;

  /// A stand-alone copy of level k as an Rbm (its own layers, cloned).
  std::unique_ptr<Rbm<eT>> level(arma::uword k) const;
  /// Copies the parameters of `rbm` (same unit types and sizes) into level k.
  void set_level(arma::uword k, Rbm<eT>& rbm);

  /// out <- q(x_{k+1} | x_k = x): the hidden means of level k, or a sample
  /// of them when `rng` is given.
  void up(arma::uword k, const Matrix& x, Matrix& out, Rng* rng = nullptr) const;
  /// out <- p(x_k | x_{k+1} = h): the visible means of level k, or a sample
  /// when `rng` is given.
  void down(arma::uword k, const Matrix& h, Matrix& out, Rng* rng = nullptr) const;

  /// Label units: K classes joined to the top RBM, or 0.
  arma::uword n_classes() const override;
  /// The top RBM's visible data for the up-pass features `x` of x_{L-1}:
  /// [x; one-hot(labels)], or [x; 0] when `labels` is null; `x` itself when
  /// the net has no label units.  ContractError for a label >= n_classes().
  void join_labels(const Matrix& x, const arma::urowvec* labels, Matrix& out) const;
  /// out(k, i) = log p(y = k | data_i): the softmax of -F([h_i; e_k]) over
  /// k, F the top RBM's free energy and h_i the mean up pass of data_i to
  /// x_{L-1} (Hinton, Osindero & Teh 2006).  ContractError without labels.
  void class_log_probabilities(const Matrix& data, arma::mat& out) const override;

  /// Greedy training propagates samples (true) or means (false) upwards.
  bool propagate_samples() const { return propagate_samples_; }
  /// Generation draws the intermediate layers of the top-down pass (true)
  /// or passes their means (false).
  bool down_samples() const { return down_samples_; }
  /// Levels 0 .. trained_levels()-1 are trained (greedy progress).
  arma::uword trained_levels() const { return trained_levels_; }
  void set_trained_levels(arma::uword n) { trained_levels_ = n; }
  /// Epochs of greedy level k: [dbn] level_epochs, or 0 for training.epochs.
  arma::uword level_epochs(arma::uword k) const { return k < level_epochs_.size() ? level_epochs_[k] : 0; }
  void set_level_epochs(std::vector<arma::uword> epochs) { level_epochs_ = std::move(epochs); }

  /// The mean up pass through every level: state.layers[2k] = x_k (means
  /// above the data), state.layers[2k+1] = E[x_{k+1} | x_k], so that
  /// statistics(state) is every level's positive term.
  void positive_phase(const Matrix& data, State<eT>& state) const override;

  /// Feature layers: 0 (the data) .. L, layer l = the mean up pass to x_l
  /// (into x_L with the label units 0).
  arma::uword n_feature_layers() const override { return n_levels() + 1; }
  void features(const Matrix& data, arma::uword l, Matrix& out) const override;

  /// `sampler` runs `steps` in the top RBM from its starting distribution;
  /// its visible sample x_{L-1} then goes down through the lower levels
  /// (sampled, or means when down_pass = mean); with `mean`, the last step
  /// gives the visible means instead of a sample.
  void generate(Sampler<eT>& sampler, arma::uword n, unsigned steps, Rng& rng, Matrix& visible,
                bool mean) const override;
  /// Class-conditional generation (Hinton, Osindero & Teh 2006, section 7
  /// and figure 8): alternating Gibbs sampling in the top RBM with the label
  /// units held at classes[j] in chain j -- h ~ p(h | [x; y]), then
  /// [x; y'] ~ p(. | h) with y' replaced by y, which draws x ~ p(x | h)
  /// since the two parts are independent given h -- from x drawn from the
  /// features' own biases, `steps` times (at least one); then the directed
  /// pass down from x as in generate().  The chains' stationary
  /// distribution is p(x_{L-1} | y), so the samples are from p(x_0 | y).
  /// ContractError without label units or for a class >= n_classes().
  void generate_class(const arma::urowvec& classes, unsigned steps, Rng& rng, Matrix& visible,
                      bool mean) const override;

 private:
  friend class boost::serialization::access;
  DeepBeliefNet() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);
  void check_level(arma::uword k, const char* caller) const;
  /// visible <- the directed pass down from the top RBM's visible sample
  /// x = x_{L-1} (the features, without labels): sampled, or means when
  /// down_pass = mean; the last step a sample unless `mean`.
  void generate_down(Matrix x, Rng& rng, Matrix& visible, bool mean) const;
  /// The label group of the top RBM's visible layer, or null.
  const LabelledLayer<eT>* labelled() const;
  std::string check_own_structure() const override;

  bool propagate_samples_ = false;
  bool down_samples_ = true;
  arma::uword trained_levels_ = 0;
  std::vector<arma::uword> level_epochs_;
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::DeepBeliefNet, 0)
