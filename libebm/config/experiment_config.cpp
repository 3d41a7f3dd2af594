#include "libebm/config/experiment_config.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "libebm/error.hpp"
#include "libebm/registry/kinds.hpp"

namespace ebm {

namespace {

std::function<bool()> one_of(const std::string* value, std::set<std::string> allowed) {
  return [value, allowed] { return allowed.count(*value) > 0; };
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> out;
  std::string name;
  for (char c : list + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!name.empty()) out.push_back(name);
      name.clear();
    } else {
      name += c;
    }
  }
  return out;
}

void declare_fixed(ExperimentConfig& c, ConfigFile& f) {
  f.declare("seed", &c.seed, "seed of every random draw of the run", "an unsigned integer");

  auto& d = c.data;
  f.declare("data.train", &d.train, "training data: IDX file (.gz or not) or CSV, one sample per record", "a file path");
  f.declare("data.test", &d.test, "held-out data for the monitors (optional)", "a file path");
  f.declare("data.train_labels", &d.train_labels,
            "class labels of data.train, one per sample: IDX label file or CSV/text with one integer per line "
            "(used by the label units of a dbn, dbn.labels)",
            "a file path");
  f.declare("data.test_labels", &d.test_labels,
            "class labels of data.test (optional; with dbn.labels the run reports the test accuracy by free energy)",
            "a file path");
  f.declare("data.format", &d.format, "file format (ratings: user/item/rating data, see [ratings])",
            "idx, csv, auto or ratings");
  f.check("data.format", one_of(&d.format, {"idx", "csv", "auto", "ratings"}), "idx, csv, auto or ratings");
  f.declare("data.binarize", &d.binarize, "how intensities become binary", "none, threshold or stochastic");
  f.check("data.binarize", one_of(&d.binarize, {"none", "threshold", "stochastic"}), "none, threshold or stochastic");
  f.declare("data.threshold", &d.threshold, "pixel > threshold is on (binarize = threshold)", "a number");
  f.declare("data.train_limit", &d.train_limit, "use the first N training samples (0: all)", "an integer >= 0");
  f.declare("data.test_limit", &d.test_limit, "use the first N held-out samples (0: all)", "an integer >= 0");
  f.declare("data.csv_header", &d.csv_header, "CSV files start with a header line", "true or false");
  f.declare("data.csv_delimiter", &d.csv_delimiter, "CSV field separator", "one character");
  f.check("data.csv_delimiter", [&d] { return d.csv_delimiter.size() == 1; }, "one character");

  // [ratings]: only read when data.format = ratings (issue 4, docs/recommender.md).
  auto& r = c.ratings;
  f.declare("ratings.format", &r.format, "ratings file format", "tab, dat, csv, plain or auto");
  f.check("ratings.format", one_of(&r.format, {"tab", "dat", "csv", "plain", "auto"}), "tab, dat, csv, plain or auto");
  f.declare("ratings.orientation", &r.orientation,
            "user: one RBM sample per user over the items (Salakhutdinov et al. 2007); item: per item over the users",
            "user or item");
  f.check("ratings.orientation", one_of(&r.orientation, {"user", "item"}), "user or item");
  f.declare("ratings.levels", &r.levels, "rating levels K (rating * scale is an integer in 1..K)", "an integer in [2, 255]");
  f.check("ratings.levels", [&r] { return r.levels >= 2 && r.levels <= 255; }, "an integer in [2, 255]");
  f.declare("ratings.scale", &r.scale, "ratings are multiplied by this to give levels (2 for half stars)", "a number > 0");
  f.check("ratings.scale", [&r] { return r.scale > 0; }, "a number > 0");
  f.declare("ratings.binarize", &r.binarize, "model liked (rating >= liked_threshold) / not liked instead of ratings",
            "true or false");
  f.declare("ratings.liked_threshold", &r.liked_threshold, "smallest rating that counts as liked", "a number");
  f.declare("ratings.validation", &r.validation,
            "fraction of data.train held out (random, by seed) and scored every monitor.every epochs; 0: none",
            "a number in [0, 1)");
  f.check("ratings.validation", [&r] { return r.validation >= 0 && r.validation < 1; }, "a number in [0, 1)");
  f.declare("ratings.k_schedule", &r.k_schedule,
            "CD steps over equal parts of training, e.g. '1 3 5 9' (with training.estimator = cd)",
            "integers >= 1 separated by spaces or commas");
  f.check("ratings.k_schedule", [&r] {
    std::size_t n = 0;
    for (const auto& t : split_names(r.k_schedule)) {
      if (t.find_first_not_of("0123456789") != std::string::npos || t.size() > 4 || std::stoul(t) == 0) return false;
      ++n;
    }
    return n > 0;
  }, "integers >= 1 separated by spaces or commas");
  f.declare("ratings.unknown_ids", &r.unknown_ids,
            "users or items of data.test without training ratings: allow (predicted from what the model knows "
            "without them, as the baselines fall back to the global mean) or error (naming file:line)",
            "allow or error");
  f.check("ratings.unknown_ids", one_of(&r.unknown_ids, {"allow", "error"}), "allow or error");
  f.declare("ratings.items", &r.items, "item titles for ebm recommend: MovieLens u.item or movies.dat (optional)",
            "a file path");

  f.declare("model.type", &c.model_type, "model family; its options are in the section named after it",
            "a registered model type");
  f.declare("model.scalar", &c.scalar, "element type of the parameters", "float or double");
  f.check("model.scalar", one_of(&c.scalar, {"float", "double"}), "float or double");
  f.declare("model.weight_init_stddev", &c.weight_init_stddev, "standard deviation of the initial weights",
            "a number >= 0");
  f.check("model.weight_init_stddev", [&c] { return c.weight_init_stddev >= 0; }, "a number >= 0");

  f.declare("training.estimator", &c.estimator, "gradient estimator; options in its own section",
            "a registered estimator type");
  f.declare("training.sampler", &c.sampler, "sampler moving the chains; options in its own section",
            "a registered sampler type");
  f.declare("training.update", &c.update, "update rule; options in its own section", "a registered update type");
  f.declare("training.epochs", &c.epochs, "passes over the training data", "an integer >= 1");
  f.check("training.epochs", [&c] { return c.epochs >= 1; }, "an integer >= 1");
  f.declare("training.batch_size", &c.batch_size, "samples per minibatch", "an integer >= 1");
  f.check("training.batch_size", [&c] { return c.batch_size >= 1; }, "an integer >= 1");
  f.declare("training.centering", &c.centering,
            "centered training (Melchior, Fischer & Wiskott 2016): none; data (the visible layer on the data "
            "mean); data+hidden (also every latent layer on the mean of its positive phase)",
            "none, data or data+hidden");
  f.check("training.centering", one_of(&c.centering, {"none", "data", "data+hidden"}), "none, data or data+hidden");
  f.declare("training.centering_rate", &c.centering_rate, "sliding-average rate of the centering offsets",
            "a number in (0, 1]");
  f.check("training.centering_rate", [&c] { return c.centering_rate > 0 && c.centering_rate <= 1; },
          "a number in (0, 1]");

  f.declare("monitor.list", &c.monitors, "monitors to run, comma-separated; each has its own section",
            "registered monitor types");
  f.declare("monitor.every", &c.monitor_every, "measure every N epochs (and after the last)", "an integer >= 1");
  f.check("monitor.every", [&c] { return c.monitor_every >= 1; }, "an integer >= 1");

  auto& o = c.output;
  f.declare("output.directory", &o.directory,
            "experiment record folder: config, run metadata, log, results, model and pictures (optional)",
            "a folder path");
  f.declare("output.pictures", &o.pictures, "draw filters, samples, reconstructions and curves into the folder",
            "true or false");
  f.declare("output.image_shape", &o.image_shape, "ROWSxCOLS of one sample, for pictures (empty: square)",
            "empty or ROWSxCOLS");
  f.check("output.image_shape", [&o] {
    if (o.image_shape.empty()) return true;
    unsigned long r = 0, cc = 0;
    char x = 0, extra = 0;
    return std::sscanf(o.image_shape.c_str(), "%lu%c%lu%c", &r, &x, &cc, &extra) == 3 && x == 'x' && r > 0 && cc > 0;
  }, "empty or ROWSxCOLS, e.g. 28x28");
  f.declare("output.sample_steps", &o.sample_steps, "sampler steps for the samples picture", "an integer >= 0");
  f.declare("output.log", &o.log, "per-epoch measurements as CSV (optional)", "a file path");
  f.declare("output.results", &o.results, "final results as JSON (optional)", "a file path");
  f.declare("output.model", &o.model, "model archive written at the end (optional)", "a file path");
  f.declare("output.format", &o.format, "archive encoding of the model and checkpoints", "binary, text or xml");
  f.check("output.format", one_of(&o.format, {"binary", "text", "xml"}), "binary, text or xml");
  f.declare("output.checkpoint", &o.checkpoint, "checkpoint of the whole training state (optional)", "a file path");
  f.declare("output.checkpoint_every", &o.checkpoint_every, "write the checkpoint every N epochs (and after the last)",
            "an integer >= 1");
  f.check("output.checkpoint_every", [&o] { return o.checkpoint_every >= 1; }, "an integer >= 1");
}

std::string to_ini(const std::vector<std::pair<std::string, std::string>>& resolved) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sections;
  std::vector<std::string> order;
  for (const auto& [key, value] : resolved) {
    const auto dot = key.rfind('.');
    const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
    const std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
    if (!sections.count(section)) order.push_back(section);
    sections[section].emplace_back(name, value);
  }
  std::ostringstream out;
  for (const auto& s : order) {
    if (!s.empty()) out << "\n[" << s << "]\n";
    for (const auto& [name, value] : sections[s]) out << name << " = " << value << "\n";
  }
  return out.str();
}

/// Pass 2 (and beyond): declares the options of every type the config
/// names, then of the types those options name, until nothing new appears.
void declare_blocks(ExperimentConfig& c, ConfigFile& f) {
  const TypeCatalog& catalog = TypeCatalog::instance();
  struct Pending {
    std::string kind, name, key;
  };
  while (true) {
    f.parse_values(false);
    std::vector<Pending> wanted = {{ModelKind::name, c.model_type, "model.type"},
                                   {EstimatorKind::name, c.estimator, "training.estimator"},
                                   {SamplerKind::name, c.sampler, "training.sampler"},
                                   {UpdateKind::name, c.update, "training.update"}};
    for (const auto& m : c.monitor_names()) wanted.push_back({MonitorKind::name, m, "monitor.list"});
    // Sections of registered types that are not selected (e.g. [cd] kept
    // in a file while --set training.estimator=pcd) are read and checked
    // too, so switching types does not mean deleting their options.
    for (const std::string& section : f.sections_used())
      for (const std::string& kind : catalog.kinds())
        if (catalog.has(kind, section)) wanted.push_back({kind, section, section});
    for (const auto& [section, options] : c.blocks)
      for (const auto& choice : options.choices()) {
        const std::string& value = options.get<std::string>(choice.name);
        if (!choice.list) wanted.push_back({choice.kind, value, section + "." + choice.name});
        else  // one name per layer, say: each one's section is read
          for (const std::string& name : choice_list(value))
            if (!name.empty()) wanted.push_back({choice.kind, name, section + "." + choice.name});
      }
    bool added = false;
    for (const auto& w : wanted) {
      if (!catalog.has(w.kind, w.name))
        f.fail(w.key, "'" + w.name + "' is not a registered " + w.kind + " type; registered: " +
                          catalog.joined_names(w.kind));
      if (c.blocks.count(w.name)) continue;
      auto [it, inserted] = c.blocks.emplace(w.name, catalog.defaults(w.kind, w.name));
      it->second.bind(f);
      added = true;
    }
    if (!added) return;
  }
}

ExperimentConfig parse(const std::string& name, const std::string& text, const std::vector<std::string>& overrides,
                       bool rebase_paths) {
  ExperimentConfig c;
  ConfigFile f;
  declare_fixed(c, f);
  f.load_text(name, text, overrides);
  declare_blocks(c, f);
  f.parse_values(true);
  if (rebase_paths) {
    // Paths in a config file are relative to the file, so a config works
    // from any working directory; paths given with --set stay relative to
    // the working directory.  Made absolute, so the resolved config stored
    // in records and archives runs from anywhere.
    const std::filesystem::path base = std::filesystem::path(name).parent_path();
    const std::pair<const char*, std::string*> paths[] = {
        {"data.train", &c.data.train},          {"data.test", &c.data.test},     {"output.log", &c.output.log},
        {"data.train_labels", &c.data.train_labels}, {"data.test_labels", &c.data.test_labels},
        {"output.results", &c.output.results}, {"output.model", &c.output.model}, {"output.checkpoint", &c.output.checkpoint},
        {"output.directory", &c.output.directory}, {"ratings.items", &c.ratings.items}};
    for (const auto& [key, p] : paths)
      if (!p->empty() && std::filesystem::path(*p).is_relative() && f.origin(key).rfind("--set", 0) != 0)
        *p = std::filesystem::absolute(base / *p).lexically_normal().string();
  }
  // Store the resolved values (with the rebased paths) for archives.
  auto resolved = f.resolved();
  const std::pair<const char*, std::string*> paths[] = {
      {"data.train", &c.data.train},          {"data.test", &c.data.test},       {"output.log", &c.output.log},
      {"data.train_labels", &c.data.train_labels}, {"data.test_labels", &c.data.test_labels},
      {"output.results", &c.output.results}, {"output.model", &c.output.model}, {"output.checkpoint", &c.output.checkpoint},
      {"output.directory", &c.output.directory}, {"ratings.items", &c.ratings.items}};
  for (auto& [key, value] : resolved)
    for (const auto& [k, p] : paths)
      if (key == k) value = *p;
  c.resolved_text = to_ini(resolved);
  // After the resolved text: a record folder gives the outputs not set otherwise their place in it.
  if (!c.output.directory.empty()) {
    const std::filesystem::path d(c.output.directory);
    if (c.output.log.empty()) c.output.log = (d / "log.csv").string();
    if (c.output.results.empty()) c.output.results = (d / "results.json").string();
    if (c.output.model.empty()) c.output.model = (d / "model.ebm").string();
  }
  return c;
}

}  // namespace

std::vector<std::string> ExperimentConfig::monitor_names() const { return split_names(monitors); }

const BlockOptions& ExperimentConfig::block(const std::string& name) const {
  auto b = blocks.find(name);
  if (b == blocks.end()) throw ContractError("ExperimentConfig::block(): no options for '" + name + "'");
  return b->second;
}

ExperimentConfig load_experiment_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw InputError(located(path, 0, "cannot open config file"));
  std::stringstream text;
  text << in.rdbuf();
  return parse(path, text.str(), overrides, true);
}

ExperimentConfig parse_experiment_config(const std::string& name, const std::string& text,
                                         const std::vector<std::string>& overrides) {
  return parse(name, text, overrides, false);
}

std::string experiment_config_reference() {
  ExperimentConfig c;
  ConfigFile f;
  declare_fixed(c, f);
  std::string out = f.reference();
  const TypeCatalog& catalog = TypeCatalog::instance();
  for (const std::string& kind : catalog.kinds()) {
    for (const std::string& name : catalog.names(kind)) {
      const auto& entry = catalog.at(kind, name);
      ConfigFile one;
      BlockOptions options = catalog.defaults(kind, name);
      options.bind(one);
      out += "\n# " + kind + " '" + name + "': " + entry.summary + "\n";
      const std::string body = one.reference();
      out += body.empty() || body.find('[') == std::string::npos ? "[" + name + "]\n" + body : body;
    }
  }
  return out;
}

}  // namespace ebm
