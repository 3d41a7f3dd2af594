// ebm classify [MODEL] --train-data F --train-labels F --test-data F
//   --test-labels F [--layer L] [--raw] [--l2 X] [--json]
// ebm classify MODEL --by model --test-data F --test-labels F [--train-data F --train-labels F]
//
// --by model: a model with label units (a DBN with dbn.labels) classifies
// by itself, through Model::class_log_probabilities; nothing is fitted.
//
// How well a model's features separate the classes: a softmax-regression
// readout (libebm/readout/softmax_regression.hpp) is fitted on the training
// set's features of layer L (Model::features; default the top layer) and
// its accuracy reported on the test set.  Without a model, or with --raw,
// the readout sees the prepared data itself: the logistic-regression
// baseline on raw pixels.  Works for every model family through the
// generic Model::features.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/data/csv_reader.hpp"
#include "libebm/data/idx_reader.hpp"
#include "libebm/data/label_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/readout/softmax_regression.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

struct ClassifyArguments {
  std::string model, train_data, train_labels, test_data, test_labels;
  std::vector<std::string> overrides;
  std::uint64_t layer = 0, limit = 0, test_limit = 0, iterations = 300;
  bool layer_given = false, raw = false, json = false;
  double l2 = 1e-4;
  std::string by = "features";  ///< features (a readout) | model (the model's own label units)
};

/// --by model: the model classifies by itself (Model::class_log_probabilities;
/// a DBN with label units: argmin over the labels of the top RBM's free
/// energy).  Nothing is fitted; the training set, if given, is only scored.
template <typename eT>
int classify_by_model(const ClassifyArguments& a) {
  if (a.model.empty()) throw InputError("ebm classify --by model: needs a MODEL archive (a dbn with dbn.labels > 0)");
  LoadedModel<eT> loaded = load_model<eT>(a.model);
  const Model<eT>& model = *loaded.model;
  const arma::uword classes = model.n_classes();
  if (classes == 0)
    throw InputError("ebm classify --by model: " + a.model + " ('" + model.type_name() +
                     "') has no label units (train a dbn with dbn.labels = K); use --by features");
  std::vector<std::string> overrides = a.overrides;
  overrides.push_back("data.train=" + a.train_data);
  overrides.push_back("data.test=" + a.test_data);
  overrides.push_back("data.train_limit=" + std::to_string(a.limit));
  overrides.push_back("data.test_limit=" + std::to_string(a.test_limit));
  const ExperimentConfig config = parse_experiment_config(a.model + " (its stored config)", loaded.config, overrides);
  Rng data_rng = data_rng_for(config.seed);
  struct Scored {
    std::string data, labels;
    arma::uword n = 0;
    double accuracy = 0, log_likelihood = 0;
  };
  std::vector<Scored> scored;
  const auto score = [&](const std::string& data_path, const std::string& labels_path, std::uint64_t limit) {
    arma::Mat<eT> x = load_data<eT>(config.data, data_path, limit, data_rng);
    if (x.n_rows != model.n_visible())
      throw InputError(data_path + ": samples have " + std::to_string(x.n_rows) + " values, the model has " +
                       std::to_string(model.n_visible()) + " visible units");
    if (x.n_cols == 0) throw InputError(data_path + ": no samples");
    if (config.data.binarize != "none") model.layer(0).from_binary(x);
    const arma::urowvec labels = read_labels(labels_path, limit);
    check_labels(labels, x.n_cols, classes, labels_path, data_path);
    arma::mat log_p;
    model.class_log_probabilities(x, log_p);
    Scored s{data_path, labels_path, x.n_cols, 0, 0};
    const arma::urowvec predicted = arma::index_max(log_p, 0);
    s.accuracy = double(arma::accu(predicted == labels)) / double(x.n_cols);
    for (arma::uword i = 0; i < x.n_cols; ++i) s.log_likelihood += log_p(labels[i], i);
    s.log_likelihood /= double(x.n_cols);
    scored.push_back(s);
  };
  const auto start = std::chrono::steady_clock::now();
  // Training data first, as `ebm train` draws a stochastic binarization.
  if (!a.train_data.empty()) score(config.data.train, a.train_labels, a.limit);
  score(config.data.test, a.test_labels, a.test_limit);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Scored& test = scored.back();
  const Scored* train = scored.size() > 1 ? &scored.front() : nullptr;
  if (a.json) {
    std::string line = "{\"model\":" + json_string(a.model) + ",\"by\":\"model\",\"classes\":" +
                       std::to_string(classes) + ",\"test_samples\":" + std::to_string(test.n) +
                       ",\"test_accuracy\":" + json_number(test.accuracy) +
                       ",\"test_log_likelihood\":" + json_number(test.log_likelihood);
    if (train)
      line += ",\"train_samples\":" + std::to_string(train->n) + ",\"train_accuracy\":" +
              json_number(train->accuracy) + ",\"train_log_likelihood\":" + json_number(train->log_likelihood);
    std::printf("%s,\"seconds\":%s}\n", line.c_str(), json_number(seconds).c_str());
  } else {
    std::printf("%s classifies by itself (%s, %llu classes), %.1f s\n", a.model.c_str(), model.type_name().c_str(),
                (unsigned long long)classes, seconds);
    if (train)
      std::printf("  train accuracy %.4f, mean log p(label | x) %.4f (%llu samples)\n", train->accuracy,
                  train->log_likelihood, (unsigned long long)train->n);
    std::printf("  test accuracy  %.4f, mean log p(label | x) %.4f (%llu samples)\n", test.accuracy,
                test.log_likelihood, (unsigned long long)test.n);
  }
  return 0;
}

template <typename eT>
int classify_with(const ClassifyArguments& a) {
  if (a.by == "model") return classify_by_model<eT>(a);
  if (a.train_data.empty() || a.train_labels.empty())
    throw InputError("ebm classify: --train-data and --train-labels are required (the readout is fitted on them)");
  std::unique_ptr<Model<eT>> model;
  std::string stored_config;
  if (!a.model.empty()) {
    LoadedModel<eT> loaded = load_model<eT>(a.model);
    model = std::move(loaded.model);
    stored_config = loaded.config;
  }
  std::vector<std::string> overrides = a.overrides;
  overrides.push_back("data.train=" + a.train_data);
  overrides.push_back("data.test=" + a.test_data);
  overrides.push_back("data.train_limit=" + std::to_string(a.limit));
  overrides.push_back("data.test_limit=" + std::to_string(a.test_limit));
  const ExperimentConfig config = parse_experiment_config(
      model ? a.model + " (its stored config)" : std::string("ebm classify"), stored_config, overrides);
  Rng data_rng = data_rng_for(config.seed);
  arma::Mat<eT> train = load_data<eT>(config.data, config.data.train, config.data.train_limit, data_rng);
  arma::Mat<eT> test = load_data<eT>(config.data, config.data.test, config.data.test_limit, data_rng);
  const arma::urowvec train_labels = read_labels(a.train_labels, a.limit);
  const arma::urowvec test_labels = read_labels(a.test_labels, a.test_limit);
  if (train_labels.n_elem != train.n_cols)
    throw InputError(a.train_labels + ": " + std::to_string(train_labels.n_elem) + " labels for " +
                     std::to_string(train.n_cols) + " samples in " + a.train_data);
  if (test_labels.n_elem != test.n_cols)
    throw InputError(a.test_labels + ": " + std::to_string(test_labels.n_elem) + " labels for " +
                     std::to_string(test.n_cols) + " samples in " + a.test_data);
  if (test.n_rows != train.n_rows)
    throw InputError(a.test_data + ": samples have " + std::to_string(test.n_rows) + " values, the training data " +
                     std::to_string(train.n_rows));
  if (train.n_cols == 0 || test.n_cols == 0) throw InputError("ebm classify: no samples");
  const arma::uword n_classes = std::max(train_labels.max(), test_labels.max()) + 1;
  if (n_classes < 2) throw InputError(a.train_labels + ": every label is 0; a classifier needs at least two classes");

  arma::uword layer = 0;
  if (model && !a.raw) {
    if (train.n_rows != model->n_visible())
      throw InputError(a.train_data + ": samples have " + std::to_string(train.n_rows) + " values, the model has " +
                       std::to_string(model->n_visible()) + " visible units");
    if (config.data.binarize != "none") {
      model->layer(0).from_binary(train);
      model->layer(0).from_binary(test);
    }
    layer = a.layer_given ? a.layer : model->n_feature_layers() - 1;
    if (layer >= model->n_feature_layers())
      throw InputError("ebm classify: --layer " + std::to_string(layer) + ": the model '" + model->type_name() +
                       "' has feature layers 0.." + std::to_string(model->n_feature_layers() - 1));
    arma::Mat<eT> f;
    model->features(train, layer, f);
    train.swap(f);
    model->features(test, layer, f);
    test.swap(f);
  }

  SoftmaxRegressionOptions options;
  options.l2 = a.l2;
  options.max_iterations = a.iterations;
  SoftmaxRegression<eT> readout;
  const auto start = std::chrono::steady_clock::now();
  readout.fit(train, train_labels, n_classes, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double train_accuracy = readout.accuracy(train, train_labels);
  const double test_accuracy = readout.accuracy(test, test_labels);
  const std::string source = model && !a.raw ? a.model : std::string("raw data");
  if (a.json) {
    std::printf(
        "{\"model\":%s,\"layer\":%llu,\"features\":%llu,\"classes\":%llu,\"train_samples\":%llu,"
        "\"test_samples\":%llu,\"binarize\":%s,\"l2\":%s,\"iterations\":%llu,\"converged\":%s,"
        "\"objective\":%s,\"train_accuracy\":%s,\"test_accuracy\":%s,\"fit_seconds\":%s}\n",
        json_string(source).c_str(), (unsigned long long)layer, (unsigned long long)train.n_rows,
        (unsigned long long)n_classes, (unsigned long long)train.n_cols, (unsigned long long)test.n_cols,
        json_string(config.data.binarize).c_str(), json_number(a.l2).c_str(), (unsigned long long)readout.iterations(),
        readout.converged() ? "true" : "false", json_number(readout.final_objective()).c_str(),
        json_number(train_accuracy).c_str(), json_number(test_accuracy).c_str(), json_number(seconds).c_str());
  } else {
    std::printf("softmax regression on %s, layer %llu (%llu features), %llu classes, l2 %g\n", source.c_str(),
                (unsigned long long)layer, (unsigned long long)train.n_rows, (unsigned long long)n_classes, a.l2);
    std::printf("  %llu L-BFGS iterations (%s), %.1f s\n", (unsigned long long)readout.iterations(),
                readout.converged() ? "converged" : "iteration limit", seconds);
    std::printf("  train accuracy %.4f (%llu samples)\n  test accuracy  %.4f (%llu samples)\n", train_accuracy,
                (unsigned long long)train.n_cols, test_accuracy, (unsigned long long)test.n_cols);
  }
  return 0;
}

}  // namespace

int classify(int argc, char** argv) {
  const std::string usage =
      "ebm classify [MODEL] --train-data F --train-labels F --test-data F --test-labels F [--layer L] [--raw] "
      "[--l2 X] [--iterations N] [--limit N] [--test-limit N] [--set data.key=value]... [--json]\n"
      "       ebm classify MODEL --by model --test-data F --test-labels F [--train-data F --train-labels F] ...";
  ClassifyArguments a;
  po::options_description options("options");
  options.add_options()("train-data", po::value<std::string>(&a.train_data), "training data (IDX or CSV)")(
      "train-labels", po::value<std::string>(&a.train_labels),
      "training labels: IDX label file, or CSV/text with one integer per line")(
      "test-data", po::value<std::string>(&a.test_data)->required(), "test data (IDX or CSV)")(
      "test-labels", po::value<std::string>(&a.test_labels)->required(), "test labels")(
      "layer", po::value<std::uint64_t>(&a.layer), "feature layer of the model (0: the data; default: the top layer)")(
      "raw", po::bool_switch(&a.raw), "classify the prepared data itself (the baseline), even with a model")(
      "l2", po::value<double>(&a.l2)->default_value(1e-4), "L2 penalty (l2/2)||W||^2 of the readout")(
      "iterations", po::value<std::uint64_t>(&a.iterations)->default_value(300), "L-BFGS iterations at most")(
      "limit", po::value<std::uint64_t>(&a.limit), "use the first N training samples (default: all)")(
      "test-limit", po::value<std::uint64_t>(&a.test_limit), "use the first N test samples (default: all)")(
      "set", po::value<std::vector<std::string>>(&a.overrides)->composing(),
      "data preparation, e.g. --set data.binarize=none (default: the model's stored config, or threshold 0.5)")(
      "by", po::value<std::string>(&a.by)->default_value("features"),
      "features: a softmax-regression readout of the model's features; model: the model's own label units "
      "(a dbn with dbn.labels: argmin of the top RBM's free energy over the labels)")(
      "json", po::bool_switch(&a.json), "print the results as one JSON object")(
      "model", po::value<std::string>(&a.model), "model archive (optional)");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map values;
  if (!parse_command_line("classify", usage, argc, argv, options, positional, values)) return 0;
  a.layer_given = values.count("layer") > 0;
  if (a.by != "features" && a.by != "model")
    throw InputError("ebm classify: --by " + a.by + ": expected features or model");
  if (a.train_data.empty() != a.train_labels.empty())
    throw InputError("ebm classify: --train-data and --train-labels go together");
  if (!(a.l2 >= 0)) throw InputError("ebm classify: --l2 must be a number >= 0");
  if (a.iterations == 0) throw InputError("ebm classify: --iterations must be >= 1");
  for (const auto& o : a.overrides)
    if (o.rfind("data.", 0) != 0) throw InputError("ebm classify: --set " + o + ": only data.* keys can be set here");
  const bool use_double = !a.model.empty() && read_archive_header(a.model).scalar == "double";
  return use_double ? classify_with<double>(a) : classify_with<float>(a);
}

}  // namespace ebm::tool
