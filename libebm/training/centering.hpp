// Centered training (issue 9) for every model family, through the one
// trainer: Melchior, Fischer & Wiskott 2016 ("How to center deep Boltzmann
// machines", JMLR 17), after Montavon & Mueller 2012.
//
// The centered energy replaces each connection's term by one in the
// offsets-subtracted states,
//     E_c(x) = sum_l self_energy_l(x_l; b_l) - sum_c (x_a - mu_a)^T W_c (x_b - mu_b),
// with an offset mu_l per layer (the running mean of its states under the
// data).  Expanding the product shows that E_c is an ordinary energy with
// the same W and shifted biases: in input units (Layer::bias_input_scale s,
// base input s % b),
//     s_l % b_l(ordinary) = s_l % b_l(centered) - m_l(mu),
// where m_l(mu) is the total message layer l receives when every layer is
// at its offset (the constant left over does not change the
// distribution).  So the model always holds the ORDINARY parameters --
// every sampler, monitor, AIS run and archive sees an ordinary model with
// identical probabilities -- and centering changes only the step:
//   1. the gradient with respect to the centered parameters (chain rule
//      through the map above): the bias gradients are unchanged, and for a
//      connection between layers a and b
//          dW_c = dW - delta_a mu_b^T - mu_a delta_b^T,
//      delta_l = d_b_l / s_l = <x_l>_data - <x_l>_model;
//   2. the biases are moved to their centered values, the update rule takes
//      its step in the centered coordinates (momentum, weight decay and any
//      other rule act there), and the biases are moved back with the new W;
//   3. the offsets slide towards the batch means of the positive phase,
//      mu <- (1 - rate) mu + rate <x>_batch; the model is unchanged by
//      that (the implied centered biases absorb it).
// Modes: `data` centers the visible layer on the data mean (latent offsets
// zero); `data+hidden` also centers every latent layer on the mean of its
// positive phase (Melchior et al.'s "dd" variant, the one they recommend).
//
// Requires of the blocks (stated on Layer::bias_input_scale and
// Connection): each connection's energy is bilinear in the states of its
// two ends (or quadratic in one layer's state, for lateral couplings) and
// its statistics(x_from, x_to) are that bilinear form's d(-E)/dW, so that
// the correction above is statistics of the offset pair; layers report
// what prevents centering them (Layer::centering_obstacle).  When a
// layer's scale s depends on another of its parameters theta (a learned
// Gaussian variance: s = 1 / sigma^2 = e^-z), the ordinary bias
// b = b_c - m / s depends on theta as well, and step 1 adds that chain-rule
// term to theta's gradient (Layer::add_centering_scale_terms); the biases
// are moved back with the scale after the step.
#pragma once

#include <string>

#include "libebm/model.hpp"
#include "libebm/training/update_rule.hpp"

namespace ebm {

enum class CenteringMode { none, data, data_and_hidden };

/// "none" | "data" | "data+hidden"; InputError naming `key` otherwise.
CenteringMode parse_centering_mode(const std::string& text, const std::string& key);
std::string centering_mode_name(CenteringMode mode);

struct CenteringOptions {
  CenteringMode mode = CenteringMode::none;
  /// Sliding-average rate of the offsets (Melchior et al. 2016 use 0.01).
  double rate = 0.01;
};

template <typename eT>
class Centering {
 public:
  using Matrix = arma::Mat<eT>;

  explicit Centering(const CenteringOptions& options);
  bool active() const { return options_.mode != CenteringMode::none; }
  const CenteringOptions& options() const { return options_; }

  /// InputError when a layer of `model` cannot be centered, naming it.
  void check(const Model<eT>& model) const;

  /// Gives `model` its offsets unless it has them (a resumed run keeps
  /// its own): the visible layer's from the mean of `data`, every latent
  /// layer's from the mean of its positive phase over `data`
  /// (data+hidden) or zero (data).
  void initialize(Model<eT>& model, const Matrix& data) const;

  /// out[l] <- sum over the columns of positive.layers[l] / global_columns:
  /// this process's share of the batch means of the positive phase (the
  /// whole batch mean when training is not split).
  void batch_means(const State<eT>& positive, arma::uword global_columns, Statistics<eT>& out) const;

  /// One centered step: center_gradient, shift the biases to their centered
  /// values, rule.apply, shift them back.  `gradient` is overwritten.
  void update(Model<eT>& model, const ParameterList<eT>& parameters, Statistics<eT>& gradient, UpdateRule<eT>& rule,
              const StepContext& step) const;

  /// The offsets slide towards `means` (from batch_means, summed over
  /// the processes): the layers the mode centers.
  void slide(Model<eT>& model, const Statistics<eT>& means) const;

  // --- The pieces, public for the tests. ---

  /// gradient (ordinary, in the order of model.parameters()) <- the gradient
  /// with respect to the centered parameters at the model's offsets.
  void center_gradient(const Model<eT>& model, Statistics<eT>& gradient) const;
  /// Each layer's bias b <- b + direction * m(offsets) / s: direction +1
  /// gives the centered biases of the ordinary model, -1 maps back.
  void shift_biases(Model<eT>& model, int direction) const;

 private:
  /// m_l(offsets) for every layer, in message_.
  const std::vector<Matrix>& offset_messages(const Model<eT>& model) const;

  CenteringOptions options_;
  // Scratch reused from step to step (a connection-sized correction must
  // not be allocated per minibatch).
  mutable std::vector<Matrix> delta_, message_, correction_;
  mutable Matrix pair_from_, pair_to_;
};

}  // namespace ebm
