// ebm evaluate MODEL --data FILE: the monitors' numbers (reconstruction
// error, free energy, pseudo-likelihood, exact log-likelihood, ...) of a
// saved model on any data set, prepared as the model's stored config says
// unless overridden.  With --labels FILE, also the model's own
// classification of the data (a DBN with label units).
#include <cstdio>
#include <iostream>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/data/label_reader.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/registry/kinds.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

template <typename eT>  // tools/command_recommend.cpp
int evaluate_recommender_model(const std::string& model_path, const std::string& test, const LoadedModel<eT>& loaded,
                               const std::vector<std::string>& overrides, bool json);

namespace {

struct EvaluateArguments {
  std::string model, data, monitors, labels;
  std::uint64_t limit = 0;
  std::vector<std::string> overrides;
  bool json = false;
};

template <typename eT>
int evaluate_model(const EvaluateArguments& a) {
  LoadedModel<eT> loaded = load_model<eT>(a.model);
  // A recommender (issue 4): --data is a held-out ratings file.
  if (parse_experiment_config(a.model + " (its stored config)", loaded.config, a.overrides).data.format == "ratings")
    return evaluate_recommender_model<eT>(a.model, a.data, loaded, a.overrides, a.json);
  std::vector<std::string> overrides = a.overrides;
  overrides.push_back("data.train=" + a.data);
  overrides.push_back("data.train_limit=" + std::to_string(a.limit));
  overrides.push_back("data.test=");
  if (!a.monitors.empty()) overrides.push_back("monitor.list=" + a.monitors);
  const ExperimentConfig config = parse_experiment_config(a.model + " (its stored config)", loaded.config, overrides);
  Rng data_rng = data_rng_for(config.seed);
  arma::Mat<eT> data = load_data<eT>(config.data, config.data.train, config.data.train_limit, data_rng);
  const Model<eT>& model = *loaded.model;
  if (data.n_rows != model.n_visible())
    throw InputError(a.data + ": samples have " + std::to_string(data.n_rows) + " values, the model has " +
                     std::to_string(model.n_visible()) + " visible units");
  if (config.data.binarize != "none") model.layer(0).from_binary(data);

  Measurements out;
  std::vector<std::string> notes;
  for (const std::string& name : config.monitor_names()) {
    const BlockOptions& o = config.block(name);
    auto monitor = MonitorKind::registry<eT>::instance().create(name, o);
    try {
      monitor->check_applies_to(model);
    } catch (const ContractError& e) {
      if (o.has("required") && !o.get<bool>("required")) {
        notes.push_back(std::string(e.what()) + "; skipped");
        continue;
      }
      throw InputError(e.what());
    }
    monitor->measure(model, MonitorData<eT>{&data, nullptr}, out);
  }
  if (!a.labels.empty()) {
    // --labels: the model's own classification (label units, e.g. a DBN
    // with dbn.labels: argmin of the top RBM's free energy over the labels).
    if (model.n_classes() == 0)
      throw InputError("ebm evaluate --labels: " + a.model + " ('" + model.type_name() +
                       "') has no label units (train a dbn with dbn.labels = K)");
    const arma::urowvec labels = read_labels(a.labels, a.limit);
    check_labels(labels, data.n_cols, model.n_classes(), a.labels, a.data);
    arma::mat log_p;
    model.class_log_probabilities(data, log_p);
    const arma::urowvec predicted = arma::index_max(log_p, 0);
    double log_likelihood = 0;
    for (arma::uword i = 0; i < data.n_cols; ++i) log_likelihood += log_p(labels[i], i);
    out.emplace_back("label_accuracy", double(arma::accu(predicted == labels)) / double(data.n_cols));
    out.emplace_back("label_log_likelihood", log_likelihood / double(data.n_cols));
  }
  // The monitors name what they measure on "train" data; here it is the
  // data given, so drop the suffix.
  // The same inside a name ("ais_log_likelihood_train_minus_3sd" ->
  // "ais_log_likelihood_minus_3sd").
  for (auto& [name, value] : out) {
    if (name.size() > 6 && name.compare(name.size() - 6, 6, "_train") == 0) name.resize(name.size() - 6);
    const auto infix = name.find("_train_");
    if (infix != std::string::npos) name.erase(infix, 6);
  }
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  if (a.json) {
    std::string line = "{\"model\":" + json_string(a.model) + ",\"data\":" + json_string(a.data) +
                       ",\"samples\":" + std::to_string(data.n_cols);
    for (const auto& [name, value] : out) line += "," + json_string(name) + ":" + json_number(value);
    std::printf("%s}\n", line.c_str());
  } else {
    std::printf("%s on %s (%llu samples)\n", a.model.c_str(), a.data.c_str(), (unsigned long long)data.n_cols);
    for (const auto& [name, value] : out) std::printf("  %-28s %.6g\n", name.c_str(), value);
  }
  return 0;
}

}  // namespace

int evaluate(int argc, char** argv) {
  const std::string usage =
      "ebm evaluate MODEL --data FILE [--labels FILE] [--monitors LIST] [--limit N] [--set data.key=value]... [--json]";
  EvaluateArguments a;
  po::options_description options("options");
  options.add_options()("data", po::value<std::string>(&a.data)->required(), "data file (IDX or CSV)")(
      "monitors", po::value<std::string>(&a.monitors),
      "comma-separated monitors (default: those the model was trained with)")(
      "labels", po::value<std::string>(&a.labels),
      "class labels of --data (IDX or one integer per line): adds the model's own classification "
      "(label_accuracy, label_log_likelihood; a dbn with dbn.labels)")(
      "limit", po::value<std::uint64_t>(&a.limit), "use the first N samples (default: all)")(
      "set", po::value<std::vector<std::string>>(&a.overrides)->composing(),
      "override a key of the stored config, e.g. --set data.binarize=none")(
      "json", po::bool_switch(&a.json), "print the results as one JSON object")(
      "model", po::value<std::string>(&a.model)->required(), "model archive");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map values;
  if (!parse_command_line("evaluate", usage, argc, argv, options, positional, values)) return 0;
  return read_archive_header(a.model).scalar == "double" ? evaluate_model<double>(a) : evaluate_model<float>(a);
}

}  // namespace ebm::tool
