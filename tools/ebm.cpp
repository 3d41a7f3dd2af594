// The `ebm` command line: train, info, evaluate, sample, classify, convert, bench.
//
// Exit status: 0 success, 2 bad input (config, data, archives, arguments),
// 1 any other failure.  Errors are one line on stderr.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "libebm/error.hpp"
#include "libebm/config/experiment_config.hpp"
#include "tools/commands.hpp"

namespace po = boost::program_options;

namespace ebm::tool {

int bench(int argc, char** argv);  // tools/command_bench.cpp

namespace {

const char* usage =
    "usage: ebm COMMAND [OPTIONS]   (ebm COMMAND --help for its options)\n"
    "  train CONFIG | --resume CHECKPOINT   train a model from a config file, or continue a checkpoint\n"
    "  info ARCHIVE                         the header of a model archive or checkpoint\n"
    "  evaluate MODEL --data FILE           the monitors' numbers of a saved model on any data\n"
    "                                       (a recommender: RMSE/MAE on held-out ratings, next to baselines)\n"
    "  sample MODEL                         draw samples by Gibbs sampling (CSV, PNG grid)\n"
    "  classify [MODEL] --train-data ...    test accuracy of softmax regression on a model's features or raw data\n"
    "  convert IN OUT --format F            rewrite an archive as binary, text or xml\n"
    "  bench                                training speed against the machine's sgemm (docs/benchmarks.md)\n"
    "  recommend MODEL --user ID --top N    a recommender's top unseen items for a user (docs/recommender.md)\n"
    "  split RATINGS --train OUT --test OUT a seeded held-out split of a ratings file\n"
    "  help config                          every config key and every registered type's options\n"
    "  version\n"
    "Types defined outside libebm: EBM_PLUGINS=lib1.so:lib2.so ebm ...\n";

}  // namespace

bool parse_command_line(const std::string& command, const std::string& command_usage, int argc, char** argv,
                        po::options_description& options, const po::positional_options_description& positional,
                        po::variables_map& values) {
  options.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), values);
    if (values.count("help")) {
      std::cout << "usage: " << command_usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(values);
  } catch (const po::error& e) {
    throw InputError("ebm " + command + ": " + e.what() + " (usage: " + command_usage + ")");
  }
  return true;
}

}  // namespace ebm::tool

namespace {

/// Loads the shared libraries listed in EBM_PLUGINS (colon-separated): types
/// defined outside libebm register themselves when their library is loaded,
/// so configs and archives can name them.
void load_plugins() {
  const char* list = std::getenv("EBM_PLUGINS");
  if (!list) return;
  std::string paths = list;
  std::size_t start = 0;
  while (start <= paths.size()) {
    const std::size_t end = std::min(paths.find(':', start), paths.size());
    const std::string path = paths.substr(start, end - start);
    if (!path.empty() && !::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL))
      throw ebm::InputError("EBM_PLUGINS: cannot load '" + path + "': " + ::dlerror());
    start = end + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ebm::tool;
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    load_plugins();
    if (command == "train") return train(argc - 1, argv + 1);
    if (command == "info") return info(argc - 1, argv + 1);
    if (command == "evaluate") return evaluate(argc - 1, argv + 1);
    if (command == "sample") return sample(argc - 1, argv + 1);
    if (command == "classify") return classify(argc - 1, argv + 1);
    if (command == "convert") return convert(argc - 1, argv + 1);
    if (command == "bench") return bench(argc - 1, argv + 1);
    if (command == "recommend") return recommend(argc - 1, argv + 1);
    if (command == "split") return split(argc - 1, argv + 1);
    if (command == "version" || command == "--version") {
      std::printf("ebm %s\n", EBM_VERSION);
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      if (argc > 2 && std::string(argv[2]) == "config") std::printf("%s", ebm::experiment_config_reference().c_str());
      else std::printf("%s", usage);
      return 0;
    }
    std::fprintf(stderr, "ebm: error: unknown command '%s'; commands: train, info, evaluate, sample, classify, convert, bench, help, version\n%s",
                 command.c_str(), usage);
    return 2;
  } catch (const ebm::InputError& e) {
    std::fprintf(stderr, "ebm: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebm: error: %s\n", e.what());
    return 1;
  }
}
