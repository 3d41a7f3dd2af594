// Model archives and checkpoints: exact round trips in all three encodings,
// fixture archives of every archived version, clear errors for every kind of
// bad file, crash safety of saves, and bit-identical resumption.
#define BOOST_TEST_MODULE archives
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "libebm/archive/checkpoint.hpp"
#include "libebm/archive/model_archive.hpp"
#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/partition/exact_log_partition.hpp"
#include "libebm/training/sgd.hpp"
#include "libebm/units/spin_layer.hpp"
#include "models/boltzmann_machine.hpp"
#include "models/deep_belief_net.hpp"
#include "models/deep_boltzmann_machine.hpp"
#include "samplers/block_gibbs_sampler.hpp"
#include "samplers/persistent_contrastive_divergence.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using ebm::ArchiveEncoding;

namespace {

struct TempDir : test::TempDir {
  TempDir() : test::TempDir("ebm_archive_test") {}
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// The InputError message of f(), or "" if it threw none.
template <typename F>
std::string input_error(F f) {
  try {
    f();
  } catch (const ebm::InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// The fixture model: parameters from a formula (exact in binary floating
/// point), so a test can check every loaded value without trusting a file.
template <typename eT>
std::unique_ptr<ebm::Rbm<eT>> fixture_rbm() {
  auto rbm = std::make_unique<ebm::Rbm<eT>>(std::make_unique<ebm::BernoulliLayer<eT>>(6),
                                            std::make_unique<ebm::BernoulliLayer<eT>>(4));
  for (arma::uword i = 0; i < 6; ++i) {
    rbm->visible().bias()(i, 0) = eT(0.125 * double(i) - 0.25);
    for (arma::uword j = 0; j < 4; ++j) rbm->weights()(i, j) = eT(0.25 * double(i + 1) - 0.5 * double(j));
  }
  for (arma::uword j = 0; j < 4; ++j) rbm->hidden().bias()(j, 0) = eT(-0.375 + 0.125 * double(j));
  return rbm;
}

const char* fixture_config = "# fixture model of tests/test_archives.cpp\n";

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_every_encoding_preserves_every_parameter_exactly) {
  TempDir tmp;
  for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml}) {
    // Random values exercise every bit of the mantissa.
    auto f = test::random_rbm<float>(7, 5, 71, 2.0);
    auto d = test::random_rbm<double>(7, 5, 72, 2.0);
    const std::string pf = tmp / ("f." + ebm::encoding_name(e)), pd = tmp / ("d." + ebm::encoding_name(e));
    ebm::save_model(pf, *f, "config text\n[x]\na = 1\n", e);
    ebm::save_model(pd, *d, "", e);
    auto lf = ebm::load_model<float>(pf);
    auto ld = ebm::load_model<double>(pd);
    BOOST_TEST_CONTEXT(ebm::encoding_name(e)) {
      BOOST_TEST(test::same_parameters<float>(*f, *lf.model));
      BOOST_TEST(test::same_parameters<double>(*d, *ld.model));
      BOOST_TEST(lf.config == "config text\n[x]\na = 1\n");
      BOOST_TEST(lf.header.model_type == "rbm");
      BOOST_TEST(lf.header.scalar == "float");
      BOOST_TEST(ld.header.scalar == "double");
      BOOST_TEST(lf.model->layer(1).type_name() == "bernoulli");
      // The loaded model computes: same exact log Z.
      BOOST_TEST(ebm::exact_log_partition(*ld.model) == ebm::exact_log_partition(*d));
    }
  }
}

BOOST_AUTO_TEST_CASE(unit_types_are_restored_through_the_base_class) {
  TempDir tmp;
  ebm::Rbm<double> rbm(std::make_unique<ebm::SpinLayer<double>>(3), std::make_unique<ebm::BernoulliLayer<double>>(2));
  ebm::Rng rng(73);
  rng.fill_normal(rbm.weights());
  ebm::save_model(tmp / "spin.ebm", rbm, "", ArchiveEncoding::xml);
  auto loaded = ebm::load_model<double>(tmp / "spin.ebm");
  BOOST_TEST(loaded.model->layer(0).type_name() == "spin");
  BOOST_TEST(loaded.model->layer(1).type_name() == "bernoulli");
  BOOST_TEST(ebm::exact_log_partition(*loaded.model) == ebm::exact_log_partition(rbm));
}

BOOST_AUTO_TEST_CASE(checkpoint_round_trip_keeps_chains_momentum_and_generator) {
  TempDir tmp;
  auto rbm = test::random_rbm<float>(6, 4, 74);
  ebm::PersistentContrastiveDivergence<float> pcd(std::make_unique<ebm::BlockGibbsSampler<float>>(), 2, 7);
  ebm::SgdOptions o;
  o.schedule = ebm::LearningRateSchedule(ebm::LearningRateSchedule::Kind::linear, 0.1, 0.01);
  o.momentum = 0.5;
  ebm::Sgd<float> sgd(o);
  ebm::Rng rng(75);
  arma::fmat batch(6, 5);
  rng.fill_uniform(batch);
  batch = arma::conv_to<arma::fmat>::from(batch < 0.5f);
  ebm::Statistics<float> g;
  auto params = rbm->parameters();
  for (int s = 0; s < 3; ++s) {
    pcd.estimate(*rbm, batch, g, rng);
    sgd.apply(params, g, ebm::StepContext{});
  }
  ebm::EpochRecord record;
  record.epoch = 1;
  record.measurements = {{"a", 1.5}, {"b", -2.0}};
  for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml}) {
    const std::string path = tmp / ("c." + ebm::encoding_name(e));
    ebm::save_checkpoint(path, "cfg", *rbm, pcd, sgd, rng, 3, {record}, e);
    auto c = ebm::load_checkpoint<float>(path);
    BOOST_TEST_CONTEXT(ebm::encoding_name(e)) {
      BOOST_TEST(test::same_parameters<float>(*rbm, *c.model));
      auto* loaded_pcd = dynamic_cast<ebm::PersistentContrastiveDivergence<float>*>(c.estimator.get());
      BOOST_REQUIRE(loaded_pcd);
      BOOST_TEST(loaded_pcd->k() == 2u);
      for (int l = 0; l < 2; ++l)
        BOOST_TEST(arma::approx_equal(loaded_pcd->chains().layers[l], pcd.chains().layers[l], "absdiff", 0.0f));
      auto* loaded_sgd = dynamic_cast<ebm::Sgd<float>*>(c.update_rule.get());
      BOOST_REQUIRE(loaded_sgd);
      for (std::size_t i = 0; i < sgd.velocity().size(); ++i)
        BOOST_TEST(arma::approx_equal(loaded_sgd->velocity()[i], sgd.velocity()[i], "absdiff", 0.0f));
      BOOST_TEST(loaded_sgd->options().momentum == 0.5);
      BOOST_TEST(c.rng_state == rng.state());
      BOOST_TEST(c.steps == 3u);
      BOOST_REQUIRE_EQUAL(c.history.size(), 1u);
      BOOST_TEST(c.history[0].get("b") == -2.0);
      BOOST_TEST(c.config == "cfg");
    }
  }
}

// One fixture archive per archived version (all classes are at version 0 so
// far) in every encoding, under tests/data/archives/.  They were written by
// this test with EBM_WRITE_FIXTURES=1; when a class's version is bumped, the
// old files stay and must keep loading.
BOOST_AUTO_TEST_CASE(fixture_archives_of_version_0_load) {
  const std::string dir = std::string(EBM_TEST_DATA_DIR) + "/archives/";
  if (std::getenv("EBM_WRITE_FIXTURES")) {
    for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml})
      ebm::save_model(dir + "rbm_v0_float." + ebm::encoding_name(e), *fixture_rbm<float>(), fixture_config, e);
    ebm::save_model(dir + "rbm_v0_double.binary", *fixture_rbm<double>(), fixture_config, ArchiveEncoding::binary);
  }
  for (const char* name : {"rbm_v0_float.binary", "rbm_v0_float.text", "rbm_v0_float.xml"}) {
    auto loaded = ebm::load_model<float>(dir + name);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(loaded.header.library == "0.1.0");
      BOOST_TEST(loaded.config == fixture_config);
      BOOST_TEST(test::same_parameters<float>(*fixture_rbm<float>(), *loaded.model));
    }
  }
  auto d = ebm::load_model<double>(dir + "rbm_v0_double.binary");
  BOOST_TEST(test::same_parameters<double>(*fixture_rbm<double>(), *d.model));
}

BOOST_AUTO_TEST_CASE(bad_archives_give_one_clear_error) {
  TempDir tmp;
  auto rbm = test::random_rbm<float>(5, 3, 76);
  const std::string good = tmp / "good.ebm";
  ebm::save_model(good, *rbm, "cfg");
  const std::string bytes = read_bytes(good);
  const std::size_t payload_start = bytes.find("\n\n") + 2;

  auto load = [](const std::string& p) { return input_error([&] { ebm::load_model<float>(p); }); };

  BOOST_TEST(contains(load(tmp / "missing.ebm"), "missing.ebm: cannot open"));

  write_bytes(tmp / "truncated.ebm", bytes.substr(0, bytes.size() - 10));
  BOOST_TEST(contains(load(tmp / "truncated.ebm"), "truncated.ebm: truncated: the payload has"));
  write_bytes(tmp / "header_only.ebm", bytes.substr(0, 30));
  BOOST_TEST(contains(load(tmp / "header_only.ebm"), "header_only.ebm: truncated"));

  std::string flipped = bytes;
  flipped[payload_start + (bytes.size() - payload_start) / 2] ^= 0x10;
  write_bytes(tmp / "corrupted.ebm", flipped);
  BOOST_TEST(contains(load(tmp / "corrupted.ebm"), "corrupted.ebm: corrupted: the payload's checksum does not match"));

  write_bytes(tmp / "extra.ebm", bytes + "xyz");
  BOOST_TEST(contains(load(tmp / "extra.ebm"), "extra.ebm: corrupted: 3 bytes after the payload"));

  write_bytes(tmp / "magic.ebm", "PK\x03\x04 not an archive at all");
  BOOST_TEST(contains(load(tmp / "magic.ebm"), "magic.ebm: not an ebm archive"));
  write_bytes(tmp / "empty.ebm", "");
  BOOST_TEST(contains(load(tmp / "empty.ebm"), "empty.ebm: empty file"));

  std::string newer = bytes;
  newer.replace(0, std::string("EBM-ARCHIVE 1").size(), "EBM-ARCHIVE 7");
  write_bytes(tmp / "newer.ebm", newer);
  BOOST_TEST(contains(load(tmp / "newer.ebm"), "newer.ebm: archive format 7 is newer than this build"));

  BOOST_TEST(contains(input_error([&] { ebm::load_model<double>(good); }), "holds a float model, expected double"));

  // A checkpoint is not a model, and a model is not a checkpoint.
  ebm::PersistentContrastiveDivergence<float> pcd(std::make_unique<ebm::BlockGibbsSampler<float>>(), 1);
  ebm::Sgd<float> sgd(ebm::SgdOptions{});
  ebm::Rng rng(1);
  ebm::save_checkpoint(tmp / "c.ckpt", "", *rbm, pcd, sgd, rng, 0, {});
  BOOST_TEST(contains(load(tmp / "c.ckpt"), "is a checkpoint, not a model archive"));
  BOOST_TEST(contains(input_error([&] { ebm::load_checkpoint<float>(good); }), "is a model archive, not a checkpoint"));

  // A header that lies about the payload's encoding: the checksum matches,
  // the deserializer fails, and that too is one clean error.
  std::string lie = bytes;
  lie.replace(lie.find("encoding binary"), 15, "encoding xml");
  write_bytes(tmp / "lie.ebm", lie);
  BOOST_TEST(contains(load(tmp / "lie.ebm"), "lie.ebm: cannot read the archive"));
}

BOOST_AUTO_TEST_CASE(header_is_read_without_the_payload) {
  TempDir tmp;
  auto rbm = test::random_rbm<double>(4, 3, 77);
  ebm::save_model(tmp / "m.ebm", *rbm, "", ArchiveEncoding::text);
  const std::string bytes = read_bytes(tmp / "m.ebm");
  write_bytes(tmp / "cut.ebm", bytes.substr(0, bytes.find("\n\n") + 2));  // payload gone
  const ebm::ArchiveHeader h = ebm::read_archive_header(tmp / "cut.ebm");
  BOOST_TEST(h.model_type == "rbm");
  BOOST_TEST(h.scalar == "double");
  BOOST_TEST(ebm::encoding_name(h.encoding) == "text");
  BOOST_TEST(h.content == "model");
}

BOOST_AUTO_TEST_CASE(a_process_killed_while_saving_leaves_the_previous_archive_whole) {
  TempDir tmp;
  const std::string path = tmp / "model.ebm";
  // Big enough (8 MB) that a save takes a while, so kills land mid-write.
  auto rbm = test::random_rbm<double>(1000, 1000, 78);
  const double first_weight = rbm->weights()(0, 0);
  ebm::save_model(path, *rbm, "version 0");
  for (int round = 1; round <= 6; ++round) {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      // The child saves new versions over and over until it is killed.
      for (int i = 0;; ++i) {
        rbm->weights()(0, 0) = double(round * 1000 + i);
        ebm::save_model(path, *rbm, "version " + std::to_string(round * 1000 + i));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 37 * round));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    BOOST_TEST(WIFSIGNALED(status));
    // Whatever version is there is complete and loads.
    auto loaded = ebm::load_model<double>(path);
    BOOST_TEST(loaded.config.rfind("version ", 0) == 0);
    const double w = dynamic_cast<ebm::Rbm<double>&>(*loaded.model).weights()(0, 0);
    BOOST_TEST(w == (loaded.config == "version 0" ? first_weight : std::stod(loaded.config.substr(8))));
    BOOST_TEST_MESSAGE("round " << round << ": the archive holds " << loaded.config);
    // Leftover temporary files of the killed writer are never the archive.
    for (const auto& entry : fs::directory_iterator(tmp.dir))
      if (entry.path().string() != path) fs::remove(entry.path());
  }
}

BOOST_AUTO_TEST_CASE(a_run_resumed_at_any_epoch_boundary_ends_bit_identical) {
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/bars_and_stripes.ini";
  // PCD (persistent chains), momentum (velocity), a linear schedule (uses the
  // step count), minibatches (shuffling draws): every piece of state matters.
  const std::vector<std::string> common = {"training.estimator=pcd", "training.epochs=6", "training.batch_size=7",
                                           "pcd.chains=11", "sgd.momentum=0.5", "sgd.schedule=linear",
                                           "model.scalar=float", "monitor.every=1",
                                           "output.checkpoint=" + (tmp / "run.ckpt")};
  for (std::string format : {"binary", "text", "xml"}) {
    for (arma::uword stop : {1u, 3u, 5u}) {
      auto full_overrides = common;
      full_overrides.push_back("output.model=" + (tmp / "full.ebm"));
      full_overrides.push_back("output.format=" + format);
      test::CheckpointGrabber grab(tmp / "run.ckpt", tmp / "stopped.ckpt", stop);
      const ebm::ExperimentResult full =
          ebm::run_experiment(ebm::load_experiment_config(config, full_overrides), &grab);

      const ebm::ExperimentResult resumed = ebm::resume_experiment(
          tmp / "stopped.ckpt", {"output.model=" + (tmp / "resumed.ebm"), "output.checkpoint=" + (tmp / "r.ckpt")});
      auto a = ebm::load_model<float>(tmp / "full.ebm");
      auto b = ebm::load_model<float>(tmp / "resumed.ebm");
      BOOST_TEST_CONTEXT(format << ", stopped after epoch " << stop) {
        BOOST_TEST(test::same_parameters<float>(*a.model, *b.model));
        BOOST_TEST(full.updates == resumed.updates);
        BOOST_REQUIRE_EQUAL(full.history.size(), resumed.history.size());
        for (std::size_t e = 0; e < full.history.size(); ++e)
          BOOST_TEST(full.history[e].get("log_likelihood_train") == resumed.history[e].get("log_likelihood_train"));
      }
    }
  }
  // The check has teeth: a run with another seed ends elsewhere.
  auto other_overrides = common;
  other_overrides.push_back("seed=99");
  other_overrides.push_back("output.model=" + (tmp / "other.ebm"));
  ebm::run_experiment(ebm::load_experiment_config(config, other_overrides));
  auto a = ebm::load_model<float>(tmp / "full.ebm");
  auto c = ebm::load_model<float>(tmp / "other.ebm");
  BOOST_TEST(!test::same_parameters<float>(*a.model, *c.model));
}

BOOST_AUTO_TEST_CASE(per_case_pcd_chains_are_checkpointed_and_resume_bit_identical) {
  // pcd.per_case = yes: one chain per training case (what data with missing
  // entries needs), its latent layer persisting per case.  The checkpoint
  // holds every case's chain and whether it has started; a run resumed from
  // it ends bit-identical to the uninterrupted run.
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/bars_and_stripes.ini";
  const std::vector<std::string> common = {"training.estimator=pcd", "pcd.per_case=yes", "training.epochs=4",
                                           "training.batch_size=7", "sgd.momentum=0.5", "model.scalar=float",
                                           "monitor.every=1", "output.checkpoint=" + (tmp / "run.ckpt")};
  for (std::string format : {"binary", "text", "xml"}) {
    auto full_overrides = common;
    full_overrides.push_back("output.model=" + (tmp / "full.ebm"));
    full_overrides.push_back("output.format=" + format);
    test::CheckpointGrabber grab(tmp / "run.ckpt", tmp / "stopped.ckpt", 2);
    const ebm::ExperimentResult full = ebm::run_experiment(ebm::load_experiment_config(config, full_overrides), &grab);
    auto checkpoint = ebm::load_checkpoint<float>(tmp / "stopped.ckpt");
    const auto* pcd = dynamic_cast<const ebm::PersistentContrastiveDivergence<float>*>(checkpoint.estimator.get());
    const ebm::ExperimentResult resumed = ebm::resume_experiment(
        tmp / "stopped.ckpt", {"output.model=" + (tmp / "resumed.ebm"), "output.checkpoint=" + (tmp / "r.ckpt")});
    auto a = ebm::load_model<float>(tmp / "full.ebm");
    auto b = ebm::load_model<float>(tmp / "resumed.ebm");
    BOOST_TEST_CONTEXT(format) {
      BOOST_REQUIRE(pcd);
      BOOST_REQUIRE_EQUAL(pcd->case_chains().layers.size(), 2u);
      BOOST_TEST(pcd->case_chains().layers[0].is_empty());
      BOOST_TEST(pcd->case_chains().layers[1].n_cols == full.n_train);
      BOOST_TEST(pcd->started_cases().size() == full.n_train);
      BOOST_TEST(std::count(pcd->started_cases().begin(), pcd->started_cases().end(), 0u) == 0);
      BOOST_TEST(pcd->chains().layers.empty());  // no shared fantasy particles
      BOOST_TEST(test::same_parameters<float>(*a.model, *b.model));
      BOOST_REQUIRE_EQUAL(full.history.size(), resumed.history.size());
      for (std::size_t e = 0; e < full.history.size(); ++e)
        BOOST_TEST(full.history[e].get("log_likelihood_train") == resumed.history[e].get("log_likelihood_train"));
    }
  }
}

// The general BM (lateral couplings) and the DBM -- and centered training
// (issue 9), whose offsets are part of the model -- go through the same
// archives and checkpoints: exact round trips in every encoding, and a run
// resumed from a checkpoint ends bit-identical to the uninterrupted run.
BOOST_AUTO_TEST_CASE(bm_dbm_and_centered_runs_round_trip_and_resume_bit_identical) {
  TempDir tmp;
  const std::string config = std::string(EBM_TEST_DATA_DIR) + "/bars_and_stripes.ini";
  const std::vector<std::vector<std::string>> families = {
      {"model.type=bm", "bm.hidden=3", "bm.visible_lateral=false", "training.sampler=sequential_gibbs"},
      {"model.type=dbm", "dbm.hidden=4,3", "training.sampler=block_gibbs"},
      {"model.type=rbm", "training.centering=data+hidden", "training.centering_rate=0.1"},
      {"model.type=dbm", "dbm.hidden=4,3", "training.sampler=block_gibbs", "training.centering=data+hidden"}};
  for (const auto& family : families) {
    const bool centered = std::any_of(family.begin(), family.end(),
                                      [](const std::string& o) { return o == "training.centering=data+hidden"; });
    std::vector<std::string> common = family;
    for (std::string o : {"training.estimator=pcd", "training.epochs=4", "training.batch_size=7", "pcd.chains=11",
                          "sgd.momentum=0.5", "model.scalar=float", "monitor.every=1"})
      common.push_back(o);
    common.push_back("output.checkpoint=" + (tmp / "run.ckpt"));
    for (std::string format : {"binary", "xml"}) {
      auto full_overrides = common;
      full_overrides.push_back("output.model=" + (tmp / "full.ebm"));
      full_overrides.push_back("output.format=" + format);
      test::CheckpointGrabber grab(tmp / "run.ckpt", tmp / "stopped.ckpt", 2);
      const ebm::ExperimentResult full = ebm::run_experiment(ebm::load_experiment_config(config, full_overrides), &grab);
      const ebm::ExperimentResult resumed = ebm::resume_experiment(
          tmp / "stopped.ckpt", {"output.model=" + (tmp / "resumed.ebm"), "output.checkpoint=" + (tmp / "r.ckpt")});
      auto a = ebm::load_model<float>(tmp / "full.ebm");
      auto b = ebm::load_model<float>(tmp / "resumed.ebm");
      BOOST_TEST_CONTEXT(family[0] << ", " << format) {
        BOOST_TEST(a.header.model_type == family[0].substr(11));
        BOOST_TEST(test::same_parameters<float>(*a.model, *b.model));
        BOOST_TEST(a.model->offsets().size() == (centered ? a.model->n_layers() : 0));
        BOOST_REQUIRE_EQUAL(a.model->offsets().size(), b.model->offsets().size());
        for (std::size_t l = 0; l < a.model->offsets().size(); ++l)
          BOOST_TEST(arma::all(arma::vectorise(a.model->offsets()[l] == b.model->offsets()[l])));
        BOOST_REQUIRE_EQUAL(full.history.size(), resumed.history.size());
        for (std::size_t e = 0; e < full.history.size(); ++e)
          BOOST_TEST(full.history[e].get("log_likelihood_train") == resumed.history[e].get("log_likelihood_train"));
        BOOST_TEST(std::isfinite(full.history.back().get("log_likelihood_train")));
        // Round trips in every encoding: same parameters, same exact log Z.
        for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml}) {
          const std::string path = tmp / ("again." + ebm::encoding_name(e));
          ebm::save_model(path, *a.model, a.config, e);
          auto c = ebm::load_model<float>(path);
          BOOST_TEST(test::same_parameters<float>(*a.model, *c.model));
          BOOST_REQUIRE_EQUAL(c.model->offsets().size(), a.model->offsets().size());
          for (std::size_t l = 0; l < a.model->offsets().size(); ++l)
            BOOST_TEST(arma::all(arma::vectorise(a.model->offsets()[l] == c.model->offsets()[l])));
          BOOST_TEST(c.model->type_name() == a.model->type_name());
          BOOST_TEST(ebm::exact_log_partition(*c.model) == ebm::exact_log_partition(*a.model));
        }
      }
    }
  }
}

namespace {

// Fixture BM and DBM: every parameter from a formula, exact in binary.
template <typename eT>
std::unique_ptr<ebm::BoltzmannMachine<eT>> fixture_bm() {
  ebm::MeanFieldOptions mf;
  mf.damping = 0.25, mf.max_iterations = 7, mf.tolerance = 1.0 / 1024;
  auto bm = std::make_unique<ebm::BoltzmannMachine<eT>>(std::make_unique<ebm::BernoulliLayer<eT>>(5),
                                                        std::make_unique<ebm::BernoulliLayer<eT>>(3), true, true, mf);
  arma::Mat<eT> l(5, 5), j(3, 3);
  for (arma::uword a = 0; a < 5; ++a)
    for (arma::uword b = 0; b < 5; ++b) l(a, b) = eT(0.125 * double(a + b) - 0.25);
  for (arma::uword a = 0; a < 3; ++a)
    for (arma::uword b = 0; b < 3; ++b) j(a, b) = eT(-0.375 * double(a + b) + 0.5);
  bm->visible_lateral()->set_weights(l);
  bm->hidden_lateral()->set_weights(j);
  for (arma::uword i = 0; i < 5; ++i) {
    bm->visible().bias()(i, 0) = eT(0.125 * double(i) - 0.25);
    for (arma::uword h = 0; h < 3; ++h) bm->weights()(i, h) = eT(0.25 * double(i + 1) - 0.5 * double(h));
  }
  for (arma::uword h = 0; h < 3; ++h) bm->hidden().bias()(h, 0) = eT(-0.375 + 0.125 * double(h));
  return bm;
}

template <typename eT>
std::unique_ptr<ebm::DeepBoltzmannMachine<eT>> fixture_dbm() {
  std::vector<std::unique_ptr<ebm::Layer<eT>>> layers;
  for (arma::uword n : {5, 3, 2}) layers.push_back(std::make_unique<ebm::BernoulliLayer<eT>>(n));
  ebm::MeanFieldOptions mf;
  mf.damping = 0.5, mf.max_iterations = 9, mf.tolerance = 1.0 / 4096;
  auto dbm = std::make_unique<ebm::DeepBoltzmannMachine<eT>>(std::move(layers), mf);
  for (arma::uword l = 0; l < 3; ++l)
    for (arma::uword i = 0; i < dbm->layer(l).size(); ++i) dbm->layer(l).bias()(i, 0) = eT(0.25 * double(i) - 0.125 * double(l));
  for (arma::uword l = 1; l < 3; ++l)
    for (arma::uword i = 0; i < dbm->weights(l).n_rows; ++i)
      for (arma::uword k = 0; k < dbm->weights(l).n_cols; ++k) dbm->weights(l)(i, k) = eT(0.5 * double(i) - 0.25 * double(k + l));
  return dbm;
}

}  // namespace

// Version-0 archives of the BM and the DBM (written by this test with
// EBM_WRITE_FIXTURES=1) keep loading: parameters and mean-field options.
BOOST_AUTO_TEST_CASE(bm_and_dbm_fixture_archives_of_version_0_load) {
  const std::string dir = std::string(EBM_TEST_DATA_DIR) + "/archives/";
  if (std::getenv("EBM_WRITE_FIXTURES")) {
    for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::xml}) {
      ebm::save_model(dir + "bm_v0_float." + ebm::encoding_name(e), *fixture_bm<float>(), fixture_config, e);
      ebm::save_model(dir + "dbm_v0_float." + ebm::encoding_name(e), *fixture_dbm<float>(), fixture_config, e);
    }
  }
  for (const char* encoding : {"binary", "xml"}) {
    BOOST_TEST_CONTEXT(encoding) {
      auto bm = ebm::load_model<float>(dir + "bm_v0_float." + encoding);
      BOOST_TEST(test::same_parameters<float>(*fixture_bm<float>(), *bm.model));
      auto* loaded_bm = dynamic_cast<ebm::BoltzmannMachine<float>*>(bm.model.get());
      BOOST_REQUIRE(loaded_bm);
      BOOST_TEST(loaded_bm->mean_field_options().damping == 0.25);
      BOOST_TEST(loaded_bm->mean_field_options().max_iterations == 7u);
      BOOST_TEST(loaded_bm->visible_lateral() != nullptr);
      BOOST_TEST(loaded_bm->hidden_lateral() != nullptr);
      auto dbm = ebm::load_model<float>(dir + "dbm_v0_float." + encoding);
      BOOST_TEST(test::same_parameters<float>(*fixture_dbm<float>(), *dbm.model));
      auto* loaded_dbm = dynamic_cast<ebm::DeepBoltzmannMachine<float>*>(dbm.model.get());
      BOOST_REQUIRE(loaded_dbm);
      BOOST_TEST(loaded_dbm->mean_field_options().max_iterations == 9u);
      BOOST_TEST(loaded_dbm->mean_field_options().tolerance == 1.0 / 4096);
      // Written before pretraining was checkpointed layer by layer: loads
      // as finished, so a resumed run never pretrains again.
      BOOST_TEST(loaded_dbm->pretrained_levels() == 2u);
      BOOST_TEST(loaded_dbm->pretraining_upper_biases().empty());
    }
  }
}

// A DBM interrupted inside pretraining keeps its progress exactly in every
// encoding; an inconsistent progress is refused by the setter (and, from a
// damaged file, by the loader: tests/test_archive_hardening.cpp).
BOOST_AUTO_TEST_CASE(dbm_pretraining_progress_round_trips_and_is_checked) {
  TempDir tmp;
  auto dbm = fixture_dbm<float>();
  arma::fmat upper(3, 1);
  for (arma::uword i = 0; i < 3; ++i) upper(i, 0) = float(0.375 * double(i) - 1.0 / 3.0);
  dbm->set_pretraining_progress(1, {upper});
  for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::text, ArchiveEncoding::xml}) {
    BOOST_TEST_CONTEXT(ebm::encoding_name(e)) {
      ebm::save_model(tmp / "progress.ebm", *dbm, fixture_config, e);
      auto loaded = ebm::load_model<float>(tmp / "progress.ebm");
      const auto& d = dynamic_cast<const ebm::DeepBoltzmannMachine<float>&>(*loaded.model);
      BOOST_TEST(d.pretrained_levels() == 1u);
      BOOST_REQUIRE(d.pretraining_upper_biases().size() == 1u);
      BOOST_TEST(arma::approx_equal(d.pretraining_upper_biases()[0], upper, "absdiff", 0.0f));
    }
  }
  BOOST_CHECK_THROW(dbm->set_pretraining_progress(1, {}), ebm::ContractError);
  BOOST_CHECK_THROW(dbm->set_pretraining_progress(3, {}), ebm::ContractError);
  BOOST_CHECK_THROW(dbm->set_pretraining_progress(2, {upper}), ebm::ContractError);  // finished: no biases kept
  BOOST_CHECK_THROW(dbm->set_pretraining_progress(1, {arma::fmat(2, 1)}), ebm::ContractError);
}

// A lateral coupling that is not symmetric with a zero diagonal (only a
// damaged or crafted file can hold one) is refused with one clear error.
BOOST_AUTO_TEST_CASE(an_invalid_lateral_coupling_in_an_archive_is_refused) {
  TempDir tmp;
  for (int defect = 0; defect < 2; ++defect) {
    auto bm = fixture_bm<float>();
    if (defect == 0) bm->hidden_lateral()->weights()(0, 1) += 1.0f;  // asymmetric
    else bm->visible_lateral()->weights()(2, 2) = 0.5f;              // self-coupling
    ebm::save_model(tmp / "bad_lateral.ebm", *bm, fixture_config, ArchiveEncoding::binary);
    const std::string error = input_error([&] { ebm::load_model<float>(tmp / "bad_lateral.ebm"); });
    BOOST_TEST_CONTEXT(defect) { BOOST_TEST(contains(error, "not symmetric with a zero diagonal")); }
  }
}

namespace {

// Fixture DBN 5-3-2 (Bernoulli): every parameter from a formula, exact in
// binary; sampled propagation, mean down pass, two levels trained, per-level
// epochs.  Version 0 of DeepBeliefNet, written before the label units
// (issue 5) and one unit type per hidden layer were added.
template <typename eT>
std::unique_ptr<ebm::DeepBeliefNet<eT>> fixture_dbn() {
  std::vector<std::unique_ptr<ebm::Layer<eT>>> layers;
  for (arma::uword n : {5, 3, 3, 2}) layers.push_back(std::make_unique<ebm::BernoulliLayer<eT>>(n));
  auto dbn = std::make_unique<ebm::DeepBeliefNet<eT>>(std::move(layers), true, false);
  ebm::ParameterList<eT> p = dbn->parameters();
  for (std::size_t k = 0; k < p.size(); ++k)
    for (arma::uword i = 0; i < p[k].value->n_elem; ++i) (*p[k].value)[i] = eT(0.125 * double(i) - 0.25 * double(k));
  dbn->set_trained_levels(2);
  dbn->set_level_epochs({3, 4});
  return dbn;
}

}  // namespace

// Version-0 archives of the DBN (written by this test with
// EBM_WRITE_FIXTURES=1) keep loading: parameters, flags and progress.
BOOST_AUTO_TEST_CASE(dbn_fixture_archives_of_version_0_load) {
  const std::string dir = std::string(EBM_TEST_DATA_DIR) + "/archives/";
  if (std::getenv("EBM_WRITE_FIXTURES"))
    for (ArchiveEncoding e : {ArchiveEncoding::binary, ArchiveEncoding::xml})
      ebm::save_model(dir + "dbn_v0_float." + ebm::encoding_name(e), *fixture_dbn<float>(), fixture_config, e);
  for (const char* encoding : {"binary", "xml"}) {
    BOOST_TEST_CONTEXT(encoding) {
      auto loaded = ebm::load_model<float>(dir + "dbn_v0_float." + encoding);
      BOOST_TEST(test::same_parameters<float>(*fixture_dbn<float>(), *loaded.model));
      auto* dbn = dynamic_cast<ebm::DeepBeliefNet<float>*>(loaded.model.get());
      BOOST_REQUIRE(dbn);
      BOOST_TEST(dbn->propagate_samples());
      BOOST_TEST(!dbn->down_samples());
      BOOST_TEST(dbn->trained_levels() == 2u);
      BOOST_TEST(dbn->level_epochs(1) == 4u);
      BOOST_TEST(dbn->n_classes() == 0u);
    }
  }
}
