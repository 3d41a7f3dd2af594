// Data-parallel training (issue 8, docs/distributed.md).  ctest runs this
// under `mpirun -np 2`: both processes train together, and each also runs
// the same experiment alone, which is what the split run must reproduce --
// every process draws the random numbers of its own columns
// (Rng::set_column_offset), so the only difference left is the order in
// which the gradient shares are added.  In double precision over the
// handful of updates here that difference stays below 1e-10 (a binary draw
// would only change if a uniform fell within ~1e-16 of its probability).
#define BOOST_TEST_MODULE distributed
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/distributed/mpi_communicator.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"

namespace fs = std::filesystem;

namespace {

ebm::Communicator& world() {
  static std::unique_ptr<ebm::Communicator> communicator =
      ebm::launched_by_mpi() ? ebm::make_mpi_communicator() : std::make_unique<ebm::SingleProcess>();
  return *communicator;
}

/// A folder both processes see: they are children of the same launcher.
fs::path shared_folder() {
  const fs::path dir = fs::temp_directory_path() / ("ebm_distributed_" + std::to_string(::getppid()));
  fs::create_directories(dir);
  return dir;
}

/// 4x4 bars and stripes (30 patterns), 16 hidden units, double; batch 7 so
/// that the minibatches (7, 7, 7, 7, 2) split unevenly (3 + 4 columns).
std::string config_text(const std::string& estimator, const fs::path& out) {
  return "seed = 11\n[data]\ntrain = " + std::string(EBM_TEST_DATA_DIR) +
         "/bars_and_stripes_4x4.csv\nbinarize = none\n[model]\ntype = rbm\nscalar = double\n[rbm]\nhidden = 8\n"
         "[training]\nestimator = " +
         estimator + "\nepochs = 20\nbatch_size = 7\n[cd]\nk = 1\n[pcd]\nk = 1\nchains = 9\n"
                     "[sgd]\nlearning_rate = 0.2\nmomentum = 0.5\nweight_decay = 0.001\n"
                     "[monitor]\nlist = exact_log_likelihood\nevery = 1\n[output]\nmodel = " +
         out.string() + "\n";
}

ebm::ExperimentResult run(const std::string& estimator, const fs::path& model, ebm::Communicator* communicator,
                          const std::vector<std::string>& overrides = {}) {
  const ebm::ExperimentConfig c = ebm::parse_experiment_config("distributed.ini", config_text(estimator, model), overrides);
  return ebm::run_experiment(c, nullptr, communicator);
}

double largest_difference(const fs::path& a, const fs::path& b) {
  auto x = ebm::load_model<double>(a.string()).model, y = ebm::load_model<double>(b.string()).model;
  const auto px = x->parameters(), py = y->parameters();
  double largest = 0;
  for (std::size_t i = 0; i < px.size(); ++i)
    largest = std::max(largest, arma::abs(*px[i].value - *py[i].value).max());
  return largest;
}

/// True with 2 or more processes; otherwise says why the case is skipped.
bool split_runs_possible() {
  if (world().size() >= 2) return true;
  BOOST_TEST_MESSAGE("not started by mpirun with 2 processes: the split runs are skipped");
  return false;
}

struct SplitAndAlone {
  ebm::ExperimentResult split, alone;
  double difference = 0;  ///< largest parameter difference (rank 0 only)
};

/// The same experiment trained on every process together and on each alone.
SplitAndAlone train_split_and_alone(const std::string& name, const std::string& estimator,
                                    const std::vector<std::string>& overrides = {}) {
  ebm::Communicator& w = world();
  const fs::path dir = shared_folder();
  const fs::path split = dir / (name + "_split.ebm"), alone = dir / (name + "_alone_" + std::to_string(w.rank()) + ".ebm");
  SplitAndAlone r;
  r.split = run(estimator, split, &w, overrides);
  r.alone = run(estimator, alone, nullptr, overrides);
  if (w.rank() == 0) {
    r.difference = largest_difference(split, alone);
    BOOST_TEST_MESSAGE(name << ": largest parameter difference, 2 processes vs 1: " << r.difference);
  }
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(column_shards_cover_the_columns_in_order) {
  for (arma::uword n : {1u, 2u, 7u, 30u})
    for (int size : {1, 2, 3, 5}) {
      arma::uword next = 0;
      for (int r = 0; r < size; ++r) {
        const ebm::ColumnShard s = ebm::column_shard(n, r, size);
        BOOST_TEST(s.first == next);
        BOOST_TEST((s.count == n / arma::uword(size) || s.count == n / arma::uword(size) + 1));
        next += s.count;
      }
      BOOST_TEST(next == n);
    }
}

BOOST_AUTO_TEST_CASE(two_processes_train_what_one_process_trains) {
  if (!split_runs_possible()) return;
  for (const std::string estimator : {"cd", "pcd", "exact"}) {
    const SplitAndAlone r = train_split_and_alone(estimator, estimator);
    if (world().rank() != 0) {
      BOOST_TEST(r.split.history.back().measurements.empty());  // only rank 0 measures
      continue;
    }
    BOOST_TEST(r.difference < 1e-10, estimator);
    // The exact log-likelihood rises the same way, epoch by epoch.
    const auto &s = r.split.history, &a = r.alone.history;
    BOOST_REQUIRE(s.size() == a.size());
    for (std::size_t e = 0; e < s.size(); ++e)
      BOOST_TEST(std::abs(s[e].get("log_likelihood_train") - a[e].get("log_likelihood_train")) < 1e-9,
                 estimator << " epoch " << e);
    BOOST_TEST(a.back().get("log_likelihood_train") > a.front().get("log_likelihood_train") + 0.1);
  }
}

BOOST_AUTO_TEST_CASE(every_model_family_trains_the_same_on_two_processes) {
  // The full BM (sequential Gibbs, mean-field positive phase), the DBM
  // (pretraining, mean field, PCD over odd/even block Gibbs) and the DBN
  // (levels through the same Trainer) go through the same split.  Mean
  // field stops when no mean of the batch moves by more than its tolerance,
  // so a shard may stop at another sweep than the whole batch (differences
  // of the order of the tolerance, 1e-6 here in the parameters); with
  // tolerance 0 every batch takes the same sweeps and only the order of the
  // gradient sum differs.
  if (!split_runs_possible()) return;
  const std::vector<std::pair<std::string, std::vector<std::string>>> families = {
      {"bm",
       {"model.type=bm", "bm.hidden=3", "bm.mean_field_tolerance=0", "training.sampler=sequential_gibbs",
        "training.epochs=5"}},
      {"dbm",
       {"model.type=dbm", "dbm.hidden=4,3", "dbm.mean_field_tolerance=0", "dbm.pretrain_epochs=3",
        "training.estimator=pcd", "training.epochs=5"}},
      {"dbn", {"model.type=dbn", "dbn.hidden=4,3", "training.estimator=pcd", "training.epochs=5"}},
      // Centered training (issue 9): the offsets follow batch means summed
      // over the processes like the gradient shares.
      {"centered_dbm",
       {"model.type=dbm", "dbm.hidden=4,3", "dbm.mean_field_tolerance=0", "training.estimator=pcd",
        "training.epochs=5", "training.centering=data+hidden", "training.centering_rate=0.1"}}};
  for (const auto& [family, settings] : families) {
    std::vector<std::string> overrides = settings;
    overrides.push_back("monitor.list=reconstruction");
    const SplitAndAlone r = train_split_and_alone(family, "cd", overrides);
    if (world().rank() == 0) BOOST_TEST(r.difference < 1e-10, family);
  }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_resumes_on_another_number_of_processes) {
  if (!split_runs_possible()) return;
  ebm::Communicator& w = world();
  const fs::path dir = shared_folder();
  const std::string rank = std::to_string(w.rank());
  // PCD: its persistent chains are split over the processes and saved whole.
  const fs::path reference = dir / ("pcd_reference_" + rank + ".ebm");
  run("pcd", reference, nullptr);
  // 2 processes for 8 epochs, then 1 process to epoch 20.
  const fs::path half = dir / "pcd_half.ebm", checkpoint = dir / "pcd_half.ckpt";
  run("pcd", half, &w, {"training.epochs=8", "output.checkpoint=" + checkpoint.string()});
  if (w.rank() == 0) {
    const fs::path resumed = dir / "pcd_resumed_alone.ebm";
    ebm::resume_experiment(checkpoint.string(), {"training.epochs=20", "output.model=" + resumed.string()});
    BOOST_TEST(largest_difference(resumed, reference) < 1e-10);
  }
  // 1 process for 8 epochs, then 2 processes to epoch 20.
  const fs::path alone_checkpoint = dir / ("pcd_alone_" + rank + ".ckpt");
  run("pcd", dir / ("pcd_alone_" + rank + ".ebm"), nullptr,
      {"training.epochs=8", "output.checkpoint=" + alone_checkpoint.string()});
  const fs::path resumed_split = dir / "pcd_resumed_split.ebm";
  ebm::resume_experiment(alone_checkpoint.string(),
                         {"training.epochs=20", "output.model=" + resumed_split.string()},
                         nullptr, nullptr, &w);
  if (w.rank() == 0) BOOST_TEST(largest_difference(resumed_split, reference) < 1e-10);
}

BOOST_AUTO_TEST_CASE(per_case_pcd_chains_train_the_same_on_two_processes) {
  // One chain per training case (pcd.per_case, what data with missing
  // entries needs): each process moves the chains of its shard of the
  // minibatch and receives the others' (all-gather), so every process holds
  // every chain and the split run trains what one process trains.
  if (!split_runs_possible()) return;
  const SplitAndAlone r = train_split_and_alone("pcd_per_case", "pcd", {"pcd.chains=0", "pcd.per_case=yes"});
  if (world().rank() == 0) BOOST_TEST(r.difference < 1e-10);
}

BOOST_AUTO_TEST_CASE(a_batch_smaller_than_the_number_of_processes_is_refused) {
  if (!split_runs_possible()) return;
  ebm::Communicator& w = world();
  const fs::path dir = shared_folder();
  // 30 samples in batches of 29: the last has 1 sample for 2 processes.
  BOOST_CHECK_THROW(run("cd", dir / "refused.ebm", &w, {"training.batch_size=29"}), ebm::InputError);
}

namespace {

/// Planted ratings for the recommender (tab-separated user, item, rating):
/// 40 users of two tastes over 10 items, about 60% rated, every fifth
/// rating of a user past their second held out.  Each process writes its
/// own copy (same content: a fixed seed).
struct PlantedRatings {
  fs::path train, test;
};

PlantedRatings planted_ratings(const fs::path& dir) {
  const std::string rank = std::to_string(world().rank());
  PlantedRatings p{dir / ("ratings_train_" + rank + ".tsv"), dir / ("ratings_test_" + rank + ".tsv")};
  std::ofstream train(p.train), test(p.test);
  ebm::Rng rng(3);
  for (int u = 1; u <= 40; ++u) {
    int rated = 0;
    for (int i = 1; i <= 10; ++i) {
      if (rng.uniform<double>() < 0.4) continue;
      const int taste = (u % 2 == i % 2) ? 5 : 2;
      const int rating = std::clamp(taste + int(rng.below(3)) - 1, 1, 5);
      (++rated > 2 && rated % 5 == 0 ? test : train) << u << '\t' << i << '\t' << rating << '\n';
    }
  }
  return p;
}

ebm::ExperimentResult run_ratings(const PlantedRatings& p, const std::string& estimator, const fs::path& model,
                                  ebm::Communicator* communicator) {
  const std::string text =
      "seed = 11\n[data]\nformat = ratings\ntrain = " + p.train.string() + "\ntest = " + p.test.string() +
      "\n[ratings]\nformat = tab\norientation = user\nlevels = 5\nvalidation = 0\n"
      "[model]\ntype = rbm\nscalar = double\n[rbm]\nhidden = 6\nvisible_units = softmax\n"
      "[softmax]\nstates = 5\nmissing = true\n[training]\nestimator = " +
      estimator +
      "\nepochs = 6\nbatch_size = 7\n[cd]\nk = 1\n[pcd]\nk = 1\n"
      "[sgd]\nlearning_rate = 0.05\nmomentum = 0.5\n[monitor]\nlist = reconstruction\n[output]\nmodel = " +
      model.string() + "\n";
  return ebm::run_experiment(ebm::parse_experiment_config("ratings.ini", text, {}), nullptr, communicator);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_recommender_trains_the_same_on_two_processes) {
  // Ratings data (sparse minibatches, softmax units with missing entries):
  // CD, and PCD with one chain per case (the chains of the other
  // processes' cases all-gathered), split over the processes train what
  // one process trains, and score the held-out ratings the same.
  if (!split_runs_possible()) return;
  ebm::Communicator& w = world();
  const fs::path dir = shared_folder();
  const PlantedRatings p = planted_ratings(dir);
  for (const std::string estimator : {"cd", "pcd"}) {
    const fs::path split = dir / ("ratings_" + estimator + "_split.ebm"),
                   alone = dir / ("ratings_" + estimator + "_alone_" + std::to_string(w.rank()) + ".ebm");
    const ebm::ExperimentResult s = run_ratings(p, estimator, split, &w), a = run_ratings(p, estimator, alone, nullptr);
    auto rmse = [](const ebm::ExperimentResult& r) {
      for (const auto& [name, value] : r.final_measurements)
        if (name == "test_rmse") return value;
      return std::nan("");
    };
    BOOST_TEST_CONTEXT(estimator << ", rank " << w.rank()) {
      BOOST_TEST(std::abs(rmse(s) - rmse(a)) < 1e-9);  // every process evaluates the same model
      BOOST_TEST(std::isfinite(rmse(a)));  // the held-out ratings were scored
      if (w.rank() == 0) {
        const double difference = largest_difference(split, alone);
        BOOST_TEST_MESSAGE("ratings " << estimator << ": largest parameter difference, 2 processes vs 1: "
                                      << difference << "; test RMSE " << rmse(a));
        BOOST_TEST(difference < 1e-10);
      }
    }
  }
}
