// A layer of any unit type followed by one group of K softmax label units:
// the visible layer of the top RBM of a deep belief net with label units
// (Hinton, Osindero & Teh 2006, "A fast learning algorithm for deep belief
// nets", section 6 and figure 1: the 10 label units join the 500
// penultimate units as the visible layer of the top-level associative
// memory).  Its state is the column [x; y], x of the feature part's type
// (n units) and y one-hot over K classes.
//
// The two parts are conditionally independent given their inputs and
// their self-energies add, so every Layer operation is the feature part's
// on rows 0..n-1 and the label group's on rows n..n+K-1:
//   self_energy([x; y])    = self_energy_features(x) - b_y . y
//   p(y = k | input)       = exp(input_{n+k}) / sum_l exp(input_{n+l})
//   log_partition(input)   = log_partition_features(input_x) + log sum_k exp(input_{n+k})
// so an Rbm whose visible layer is a LabelledLayer has the free energy
// F([x; y]) of Hinton et al., and classifying x by argmin_k F([x; e_k]) is
// argmax_k p(y = k | x) (models/deep_belief_net.hpp).
//
// Parameters: the bias of all n + K units (one vector, as every layer has,
// so bias() is the whole layer's), then the feature part's further
// parameters (a Gaussian part's log-variance).  The parts are the
// registered unit types themselves (the feature part any of them, the label
// part SoftmaxLayer with one group); the whole bias is the one stored copy,
// and it is copied into the parts' biases before each call that reads them
// (n + K numbers per call -- nothing next to the GEMMs around it -- so no
// unit type has to know that it is a part).
//
// Not a type a config names: a `dbn` builds it for its top RBM from
// `dbn.labels` (and the archives know it as "labelled/float|double").
#pragma once

#include <memory>

#include "libebm/archive/class_version.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

template <typename eT>
class LabelledLayer : public Layer<eT> {
 public:
  using Matrix = typename Layer<eT>::Matrix;

  /// `features` (any unit type, taken over) followed by `classes` >= 2
  /// label units; the bias is the features' bias and zeros for the labels.
  /// ContractError for a null part or fewer than 2 classes.
  LabelledLayer(std::unique_ptr<Layer<eT>> features, arma::uword classes);

  static constexpr const char* name = "labelled";
  std::string type_name() const override { return name; }

  arma::uword classes() const { return this->size() - features_->size(); }
  arma::uword n_features() const { return features_->size(); }
  /// The feature part (its bias is a copy of bias().rows(0, n_features()-1)
  /// made when a call needs it).
  const Layer<eT>& feature_part() const { return sync(), *features_; }

  /// bias (all n + K units), then the feature part's other parameters.
  void parameters(ParameterList<eT>& out, const std::string& prefix) override;
  arma::uword n_parameters() const override { return features_->n_parameters(); }
  void base_input(Matrix& input, arma::uword n_cols) const override;
  bool interaction_is_identity() const override { return features_->interaction_is_identity(); }
  void interaction(const Matrix& x, Matrix& out) const override;
  void mark_unobserved(const Matrix& x, Matrix& input) const override;
  /// Centering: the feature part's input scale and obstacle; the label
  /// group's bias enters its input as itself.
  Matrix bias_input_scale() const override {
    return arma::join_cols(feature_part().bias_input_scale(), Matrix(classes(), 1, arma::fill::ones));
  }
  std::string centering_obstacle() const override { return feature_part().centering_obstacle(); }
  /// The feature part's terms from its rows (its parameters after the
  /// bias are this layer's, in the same order).
  void add_centering_scale_terms(const Matrix& message, const Matrix& delta, Matrix* gradient) const override {
    feature_part().add_centering_scale_terms(rows(message, 0, n_features()), rows(delta, 0, n_features()), gradient);
  }

  void mean(const Matrix& input, Matrix& out) const override;
  /// The feature part's draw, then the label group's (two keys from rng).
  void sample(const Matrix& input, Matrix& out, Rng& rng) const override;
  arma::rowvec self_energy(const Matrix& x) const override;
  arma::rowvec log_partition(const Matrix& input) const override;
  void statistics(const Matrix& x, const arma::Row<eT>* weights, Matrix* out) const override;

  /// Feature states times K labels when the product is at most 2^62, else 0.
  arma::uword state_count() const override;
  /// State s: feature state s mod N (N the feature part's state count),
  /// label s / N.
  void states(arma::uword first, arma::uword count, Matrix& out) const override;
  /// The feature rows in the feature part's encoding; the labels are one-hot already.
  void from_binary(Matrix& x) const override;
  /// Each part from its rows (the label biases: log class frequencies).
  void initialize_from_data(const Matrix& data) override;

 private:
  friend class boost::serialization::access;
  LabelledLayer() = default;
  template <class Archive>
  void serialize(Archive& ar, const unsigned int version);

  /// Copies the whole bias into the parts' biases (the one stored copy is
  /// bias_); returns nothing, called before every delegated call.
  void sync() const;
  /// rows [first, first + n) of x as a matrix.
  static Matrix rows(const Matrix& x, arma::uword first, arma::uword n) { return x.rows(first, first + n - 1); }

  std::unique_ptr<Layer<eT>> features_;
  std::unique_ptr<Layer<eT>> labels_;  // a SoftmaxLayer with one group
};

}  // namespace ebm

EBM_CLASS_VERSION(ebm::LabelledLayer, 0)
