// The `ebm` command line.
//
//   ebm train CONFIG [--set section.key=value]... [--json] [--quiet]
//   ebm help config        every config key with its default
//   ebm version
//
// Exit status: 0 success, 2 bad input (config, data, arguments), 1 any
// other failure.  Errors are one line on stderr.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"

namespace po = boost::program_options;

namespace {

const char* usage =
    "usage: ebm train CONFIG [--set section.key=value]... [--json] [--quiet]\n"
    "       ebm help config\n"
    "       ebm version\n";

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

/// Per-epoch lines on stderr, and on a terminal a progress line with ETA.
class ConsoleReporter : public ebm::TrainingObserver {
 public:
  explicit ConsoleReporter(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO)) {}

  void on_batch(const ebm::StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (quiet_ || !terminal_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200) && batch + 1 != n_batches) return;
    last_draw_ = now;
    const double done = double(step.step + 1) / double(step.epochs * step.steps_per_epoch);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = done > 0 ? elapsed * (1 - done) / done : NAN;
    const int width = 30, filled = int(done * width);
    std::fprintf(stderr, "\r  epoch %llu/%llu [%s%s] %3.0f%%  ETA %s ", (unsigned long long)step.epoch + 1,
                 (unsigned long long)step.epochs, std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), 100 * done, clock_text(eta).c_str());
    drawn_ = true;
  }

  void on_epoch(const ebm::EpochRecord& r) override {
    if (quiet_) return;
    if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
    drawn_ = false;
    std::ostringstream line;
    line << "epoch " << std::setw(4) << r.epoch << "  " << std::fixed << std::setprecision(2) << std::setw(7)
         << r.seconds << "s";
    line << std::setprecision(4);
    for (const auto& [name, value] : r.measurements) line << "  " << name << "=" << value;
    std::fprintf(stderr, "%s\n", line.str().c_str());
  }

 private:
  bool quiet_, terminal_, drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_draw_{};
};

int train(int argc, char** argv) {
  std::string config_path;
  std::vector<std::string> overrides;
  bool json = false, quiet = false;
  po::options_description options("ebm train options");
  options.add_options()("set", po::value<std::vector<std::string>>(&overrides)->composing(),
                        "override a config key: --set training.epochs=5")(
      "json", po::bool_switch(&json), "print the final results as one JSON object on stdout")(
      "quiet", po::bool_switch(&quiet), "no per-epoch lines")("config", po::value<std::string>(&config_path),
                                                               "config file");
  po::positional_options_description positional;
  positional.add("config", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ebm::InputError(std::string("ebm train: ") + e.what());
  }
  if (config_path.empty()) throw ebm::InputError("ebm train: no config file given\n" + std::string(usage));

  std::vector<std::pair<std::string, std::string>> resolved;
  const ebm::ExperimentConfig config = ebm::load_experiment_config(config_path, overrides, &resolved);
  if (!quiet) {
    std::fprintf(stderr, "ebm %s: training %s (%s, %llu hidden) with %s-%u on %s\n", EBM_VERSION,
                 config.model.type.c_str(), config.model.visible_units.c_str(),
                 (unsigned long long)config.model.hidden, config.training.estimator.c_str(), config.training.k,
                 config.data.train.c_str());
  }
  ConsoleReporter reporter(quiet);
  const ebm::ExperimentResult result = ebm::run_experiment(config, &reporter);
  for (const auto& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  if (!quiet)
    std::fprintf(stderr, "trained %llu updates in %.1fs (%.0f samples/s)\n", (unsigned long long)result.updates,
                 result.train_seconds, result.samples_per_second);
  if (json) std::printf("%s\n", result.to_json(config).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "train") return train(argc - 1, argv + 1);
    if (command == "version" || command == "--version") {
      std::printf("ebm %s\n", EBM_VERSION);
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      if (argc > 2 && std::string(argv[2]) == "config") std::printf("%s", ebm::experiment_config_reference().c_str());
      else std::printf("%s", usage);
      return 0;
    }
    std::fprintf(stderr, "ebm: error: unknown command '%s'; commands: train, help, version\n%s", command.c_str(), usage);
    return 2;
  } catch (const ebm::InputError& e) {
    std::fprintf(stderr, "ebm: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebm: error: %s\n", e.what());
    return 1;
  }
}
