// ebm train CONFIG [--set key=value]... [--json] [--quiet]
// ebm train --resume CHECKPOINT [--set key=value]... [--json] [--quiet]
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include <memory>

#include "libebm/config/experiment_config.hpp"
#include "libebm/distributed/mpi_communicator.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

/// Per-epoch lines on stderr, and on a terminal a progress line with ETA.
class ConsoleReporter : public TrainingObserver {
 public:
  explicit ConsoleReporter(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO)) {}

  void on_batch(const StepContext& step, arma::uword batch, arma::uword n_batches) override {
    if (quiet_ || !terminal_) return;
    const auto now = std::chrono::steady_clock::now();
    if (first_step_ < 0) first_step_ = double(step.step);
    if (now - last_draw_ < std::chrono::milliseconds(200) && batch + 1 != n_batches) return;
    last_draw_ = now;
    const double total = double(step.epochs * step.steps_per_epoch);
    const double done = double(step.step + 1) / total;
    const double done_here = double(step.step + 1) - first_step_;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = done_here > 0 ? elapsed * (total - double(step.step + 1)) / done_here : NAN;
    const int width = 30, filled = int(done * width);
    std::fprintf(stderr, "\r  epoch %llu/%llu [%s%s] %3.0f%%  ETA %s ", (unsigned long long)step.epoch + 1,
                 (unsigned long long)step.epochs, std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), 100 * done, clock_text(eta).c_str());
    drawn_ = true;
  }

  void on_epoch(const EpochRecord& r) override {
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
  double first_step_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_draw_{};
};

}  // namespace

int train(int argc, char** argv) {
  const std::string usage =
      "ebm train CONFIG [--set section.key=value]... [--json] [--quiet]\n"
      "       ebm train --resume CHECKPOINT [--set section.key=value]... [--json] [--quiet]";
  std::string config_path, resume;
  std::vector<std::string> overrides;
  bool json = false, quiet = false;
  po::options_description options("options");
  options.add_options()("set", po::value<std::vector<std::string>>(&overrides)->composing(),
                        "override a config key, e.g. --set training.epochs=5")(
      "resume", po::value<std::string>(&resume), "continue the run saved in this checkpoint (its own config)")(
      "json", po::bool_switch(&json), "print the final results as one JSON object on stdout")(
      "quiet", po::bool_switch(&quiet), "no progress or per-epoch lines")(
      "config", po::value<std::string>(&config_path), "config file (see ebm help config)");
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map values;
  if (!parse_command_line("train", usage, argc, argv, options, positional, values)) return 0;
  if (config_path.empty() == resume.empty())
    throw InputError("ebm train: give a config file or --resume CHECKPOINT (one of them)");

  // Under mpirun every process trains its share (docs/distributed.md); only
  // rank 0 reports and writes.
  std::unique_ptr<Communicator> communicator;
  if (launched_by_mpi()) communicator = make_mpi_communicator();
  const bool reports = !communicator || communicator->rank() == 0;
  if (!reports) quiet = true, json = false;
  ConsoleReporter reporter(quiet);
  ExperimentConfig config;
  ExperimentResult result;
  if (resume.empty()) {
    config = load_experiment_config(config_path, overrides);
    if (!quiet)
      std::fprintf(stderr, "ebm %s: training %s with %s on %s%s\n", EBM_VERSION, config.model_type.c_str(),
                   config.estimator.c_str(), config.data.train.c_str(),
                   communicator ? (", " + std::to_string(communicator->size()) + " processes").c_str() : "");
    result = run_experiment(config, &reporter, communicator.get());
  } else {
    if (!quiet) std::fprintf(stderr, "ebm %s: resuming %s\n", EBM_VERSION, resume.c_str());
    result = resume_experiment(resume, overrides, &reporter, &config, communicator.get());
  }
  for (const auto& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
  if (!reports) return 0;
  if (!quiet)
    std::fprintf(stderr, "trained %llu updates in %.1fs (%.0f samples/s)\n", (unsigned long long)result.updates,
                 result.train_seconds, result.samples_per_second);
  if (json) std::printf("%s\n", result.to_json(config).c_str());
  return 0;
}

}  // namespace ebm::tool
