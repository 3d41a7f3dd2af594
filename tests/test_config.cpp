// Config files: values, overrides, and one-line errors naming file, line and
// key for every kind of bad input.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

struct TempConfig : test::TempDir {
  TempConfig() : test::TempDir("ebm_config_test") {}
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

/// The InputError message thrown by loading `text`, or "" if none.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  TempConfig t;
  const std::string path = t.write("run.ini", text);
  try {
    ebm::load_experiment_config(path, overrides);
  } catch (const ebm::InputError& e) {
    std::string m = e.what();
    // Replace the temporary path by a fixed name for the comparisons.
    if (auto at = m.find(path); at != std::string::npos) m.replace(at, path.size(), "run.ini");
    return m;
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(values_defaults_and_relative_paths) {
  TempConfig t;
  const std::string path = t.write("run.ini",
                                   "seed = 7\n# comment\n[data]\ntrain = train.csv\ntest = /abs/test.csv\n"
                                   "[training]\nepochs = 3\nestimator = cd\n[sgd]\nlearning_rate = 0.5\n");
  const ebm::ExperimentConfig c = ebm::load_experiment_config(path, {});
  BOOST_TEST(c.seed == 7u);
  BOOST_TEST(c.epochs == 3u);
  BOOST_TEST(c.block("sgd").get<double>("learning_rate") == 0.5);
  BOOST_TEST(c.estimator == "cd");
  BOOST_TEST(c.block("cd").get<std::uint64_t>("k") == 1u);  // the chosen type's own default
  BOOST_TEST(c.batch_size == 100u);                            // default
  BOOST_TEST(c.data.train == (t.dir / "train.csv").string());  // relative to the config file
  BOOST_TEST(c.data.test == "/abs/test.csv");
}

BOOST_AUTO_TEST_CASE(overrides_win_and_stay_relative_to_the_working_directory) {
  TempConfig t;
  const std::string path = t.write("run.ini", "[training]\nepochs = 3\n[data]\ntrain = a.csv\n");
  const ebm::ExperimentConfig c =
      ebm::load_experiment_config(path, {"training.epochs=9", "rbm.hidden=7", "data.train=b.csv"});
  BOOST_TEST(c.epochs == 9u);
  BOOST_TEST(c.block("rbm").get<std::uint64_t>("hidden") == 7u);
  BOOST_TEST(c.data.train == "b.csv");
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_accepted_keys) {
  const std::string m = error_of("[training]\nepochs = 3\nepoch = 4\n");
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(contains(m, "run.ini:3: key 'training.epoch': unknown key"));
  BOOST_TEST(contains(m, "training.epochs"));  // the accepted keys are listed
  BOOST_TEST(contains(error_of("[trainig]\nepochs = 3\n"), "run.ini:2: key 'trainig.epochs': unknown key"));
}

BOOST_AUTO_TEST_CASE(malformed_values_name_the_value_and_what_was_expected) {
  const std::string m = error_of("[training]\n\nepochs = three\n");
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(contains(m, "run.ini:3: key 'training.epochs': 'three' is not a valid value; expected an integer >= 1"));
  BOOST_TEST(contains(error_of("[monitor]\nreconstruction = maybe\n"), "run.ini:2: key 'monitor.reconstruction'"));
  // A negative count must not wrap around to a huge unsigned number.
  BOOST_TEST(contains(error_of("[training]\nepochs = -3\n"), "run.ini:2: key 'training.epochs': '-3' is not a valid value"));
  BOOST_TEST(contains(error_of("", {"training.k=-1"}), "--set training.k=-1: key 'training.k'"));
}

BOOST_AUTO_TEST_CASE(out_of_range_values_are_rejected) {
  BOOST_TEST(contains(error_of("[sgd]\nlearning_rate = -1\n"),
                      "run.ini:2: key 'sgd.learning_rate': '-1' is out of range; expected a number > 0"));
  BOOST_TEST(contains(error_of("[sgd]\nmomentum = 1.5\n"), "run.ini:2: key 'sgd.momentum'"));
  BOOST_TEST(contains(error_of("[rbm]\nhidden = 0\n"), "run.ini:2: key 'rbm.hidden'"));
  BOOST_TEST(contains(error_of("[data]\nbinarize = otsu\n"), "run.ini:2: key 'data.binarize'"));
}

BOOST_AUTO_TEST_CASE(types_are_read_first_then_their_own_options) {
  // An unknown type name lists the registered ones.
  const std::string m = error_of("[training]\nestimator = cdx\n");
  BOOST_TEST_MESSAGE(m);
  BOOST_TEST(contains(m, "run.ini:2: key 'training.estimator': 'cdx' is not a registered estimator type; registered: cd, exact, pcd"));
  BOOST_TEST(contains(error_of("[rbm]\nhidden_units = gauss\n"), "run.ini:2: key 'rbm.hidden_units': 'gauss' is not a registered units type"));
  // Options of a registered type that is not selected are kept (switching
  // types with --set needs no edit of the file) and still checked.
  BOOST_TEST(error_of("[training]\nestimator = pcd\n[cd]\nk = 3\n") == "");
  BOOST_TEST(contains(error_of("[training]\nestimator = pcd\n[cd]\nkk = 3\n"), "run.ini:4: key 'cd.kk': unknown key"));
  BOOST_TEST(contains(error_of("[cd]\nk = -2\n"), "run.ini:2: key 'cd.k'"));
  // ... and of a selected type they are checked with its own ranges.
  BOOST_TEST(contains(error_of("[training]\nestimator = pcd\n[pcd]\nk = x\n"), "run.ini:4: key 'pcd.k': 'x' is not a valid value"));
  BOOST_TEST(contains(error_of("[pcd]\nchain = 3\n"), "accepted keys: pcd.k, pcd.chains"));
  BOOST_TEST(contains(error_of("[monitor]\nlist = reconstruction, nonsense\n"), "'nonsense' is not a registered monitor type"));
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_the_line) {
  BOOST_TEST(contains(error_of("seed = 1\n[training\n"), "run.ini:2: malformed section header"));
  BOOST_TEST(contains(error_of("seed = 1\njust words\n"), "run.ini:2: expected 'key = value'"));
  BOOST_TEST(contains(error_of("[training]\nepochs = 1\nepochs = 2\n"), "run.ini:3: key 'training.epochs' is set twice"));
}

BOOST_AUTO_TEST_CASE(bad_overrides_name_the_override) {
  BOOST_TEST(contains(error_of("", {"training.epochs=x"}), "--set training.epochs=x: key 'training.epochs'"));
  BOOST_TEST(contains(error_of("", {"training.nope=1"}), "--set training.nope=1: key 'training.nope': unknown key"));
  BOOST_TEST(contains(error_of("", {"training.epochs"}), "expected key=value"));
  BOOST_TEST(contains(error_of("", {"training.epochs=0"}), "--set training.epochs=0: key 'training.epochs'"));
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_input_error) {
  BOOST_CHECK_THROW(ebm::load_experiment_config("/nonexistent/run.ini", {}), ebm::InputError);
}

BOOST_AUTO_TEST_CASE(reference_lists_every_key) {
  const std::string r = ebm::experiment_config_reference();
  for (const char* key : {"[training]", "epochs = 10", "[model]", "[rbm]", "hidden = 100", "[monitor]", "seed = 1",
                          "[pcd]", "[sgd]", "learning_rate = 0.01", "[bernoulli]", "[spin]", "[exact_log_likelihood]"})
    BOOST_TEST(contains(r, key), key);
}
