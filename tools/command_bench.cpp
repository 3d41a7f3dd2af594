// ebm bench: how fast training runs compared with the machine's own matrix
// multiply.
//
// Per CD-k or PCD-k minibatch an RBM does (k+1) visible-to-hidden products,
// k hidden-to-visible products and 2 gradient products, each 2*B*nv*nh
// flops; everything else (sigmoids, random draws, statistics, the update) is
// overhead.  So the bench times one or more training epochs through the
// library's real path (the blocks built from the registries from a config,
// as `ebm train` does, and the one Trainer) and, between slices of 20
// minibatches, sgemm on exactly the same shapes in the same process with the
// same BLAS and threads, and reports the ratio of the two rates.  It also times a block Gibbs sampling run and an
// AIS run (Salakhutdinov & Murray 2008's estimator of log Z, on a shortened schedule by default), reports the
// peak resident memory and the BLAS library, core and thread count in use,
// and the reconstruction error after training (to compare with the peers in
// tools/bench/peers/, which report the same).
//
// Timing only: nothing here is checked by the tests (docs/benchmarks.md).
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <thread>
#include <vector>

#include "libebm/config/experiment_config.hpp"
#include "libebm/error.hpp"
#include "libebm/experiment.hpp"
#include "libebm/helper_threads.hpp"
#include "libebm/monitors/reconstruction_error.hpp"
#include "libebm/partition/annealed_importance_sampling.hpp"
#include "libebm/archive/clone.hpp"
#include "libebm/registry/kinds.hpp"
#include "libebm/training/trainer.hpp"
#include "tools/commands.hpp"

// OpenBLAS's own introspection (libopenblas, which we link directly).
extern "C" {
char* openblas_get_config(void);
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
}

namespace po = boost::program_options;

namespace ebm::tool {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct BenchArguments {
  std::uint64_t visible = 784, hidden = 500, batch = 100, samples = 60000, k = 1, epochs = 1, seed = 1;
  std::uint64_t gibbs_chains = 0, gibbs_steps = 200, sgemm_repeats = 20, ais_runs = 100;
  std::string data, test, estimator = "cd", scalar = "float", ais_schedule = "0.5:50,0.9:400,1:1000";
  double threshold = 0.5, learning_rate = 0.1, momentum = 0.0, weight_decay = 0.0;
  bool json = false, train_only = false;
};

/// The config a bench run trains with: the same text `ebm train` would read.
std::string bench_config_text(const BenchArguments& a) {
  std::ostringstream c;
  c << "seed = " << a.seed << "\n"
    << "[data]\nbinarize = threshold\nthreshold = " << a.threshold << "\n"
    << "[model]\ntype = rbm\nscalar = " << a.scalar << "\nweight_init_stddev = 0.01\n"
    << "[rbm]\nhidden = " << a.hidden << "\n"
    << "[training]\nestimator = " << a.estimator << "\nsampler = block_gibbs\nupdate = sgd\nepochs = " << a.epochs
    << "\nbatch_size = " << a.batch << "\n"
    << "[" << a.estimator << "]\nk = " << a.k << "\n"
    << "[sgd]\nlearning_rate = " << a.learning_rate << "\nschedule = constant\nmomentum = " << a.momentum
    << "\ninitial_momentum = " << a.momentum << "\nweight_decay = " << a.weight_decay << "\n"
    << "[monitor]\nlist = reconstruction\n";
  return c.str();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// Mean squared reconstruction error per unit, in chunks so that the
/// monitor's double-precision copies stay small.
template <typename eT>
double reconstruction_error(const Model<eT>& model, const arma::Mat<eT>& data) {
  const arma::uword chunk = 2000;
  double total = 0;
  for (arma::uword first = 0; first < data.n_cols; first += chunk) {
    const arma::uword last = std::min(first + chunk, data.n_cols) - 1;
    const arma::Mat<eT> part = data.cols(first, last);
    total += ReconstructionError<eT>::error(model, part) * double(part.n_elem);
  }
  return total / double(data.n_elem);
}

/// The products of one minibatch, on matrices of the same shapes as the
/// model's, formed as Armadillo forms them (W^T V with a transpose flag, W H,
/// and V H^T twice: the data and the model term).
template <typename eT>
struct GemmMix {
  arma::Mat<eT> w, v, h, hin, vin, g;
  unsigned k;
  double flops;  // of one call of run()

  GemmMix(arma::uword nv, arma::uword nh, arma::uword b, unsigned k_, Rng& rng)
      : w(nv, nh),
        v(nv, b),
        h(nh, b),
        hin(nh, b),
        vin(nv, b),
        g(nv, nh),
        k(k_),
        flops(double(2 * k_ + 3) * 2.0 * double(nv) * double(nh) * double(b)) {
    rng.fill_uniform(w), rng.fill_uniform(v), rng.fill_uniform(h);
  }
  void run() {
    hin = w.t() * v;
    for (unsigned s = 0; s < k; ++s) {
      vin = w * h;
      hin = w.t() * v;
    }
    g = v * h.t();
    g -= v * h.t();
  }
};

/// Best-of-`repeats` rates (GFLOP/s) of each product shape alone.
struct ShapeRates {
  double visible_to_hidden = 0, hidden_to_visible = 0, gradient = 0;
};

template <typename eT>
ShapeRates measure_shapes(GemmMix<eT>& m, unsigned repeats) {
  const double flops = 2.0 * double(m.w.n_rows) * double(m.w.n_cols) * double(m.v.n_cols);
  auto best = [&](auto&& product) {
    const unsigned count = 5;
    product();  // warm up (threads, caches)
    double best_seconds = 1e300;
    for (unsigned r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (unsigned i = 0; i < count; ++i) product();
      best_seconds = std::min(best_seconds, seconds_since(start));
    }
    return count * flops / best_seconds * 1e-9;
  };
  ShapeRates rates;
  rates.visible_to_hidden = best([&] { m.hin = m.w.t() * m.v; });
  rates.hidden_to_visible = best([&] { m.vin = m.w * m.h; });
  rates.gradient = best([&] { m.g = m.v * m.h.t(); });
  return rates;
}

/// The BLAS's float products checked against the same products in double:
/// the largest |C_float - C_double| / (|A| |B|)_ij over the three shapes,
/// in units of float epsilon * sqrt(k).  Rounding in a correct kernel gives
/// about 1 of these units at most on random data (the error of a sum of k
/// terms grows like sqrt(k) eps when roundings are independent; the worst
/// case is k eps: Higham, "Accuracy and stability of numerical algorithms",
/// section 3.5); a wrong kernel gives errors of order 1 / eps.
template <typename eT>
double gemm_error(GemmMix<eT>& m) {
  using D = arma::mat;
  const D w = arma::conv_to<D>::from(m.w), v = arma::conv_to<D>::from(m.v), h = arma::conv_to<D>::from(m.h);
  double worst = 0;
  auto check = [&](const arma::Mat<eT>& c, const D& exact, const D& scale, arma::uword k) {
    const D error = arma::abs(arma::conv_to<D>::from(c) - exact) / scale;
    worst = std::max(worst, error.max() / (std::numeric_limits<eT>::epsilon() * std::sqrt(double(k))));
  };
  m.hin = m.w.t() * m.v;
  check(m.hin, w.t() * v, arma::abs(w).t() * arma::abs(v), w.n_rows);
  m.vin = m.w * m.h;
  check(m.vin, w * h, arma::abs(w) * arma::abs(h), w.n_cols);
  m.g = m.v * m.h.t();
  check(m.g, v * h.t(), arma::abs(v) * arma::abs(h).t(), v.n_cols);
  return worst;
}

/// Pairs training with sgemm in the same process: after every `every`
/// minibatches it times the same number of minibatch product mixes on
/// matrices of the model's shapes.  The ratio of the two rates then compares
/// slices of equal work measured seconds apart, which keeps it meaningful
/// on a machine whose load changes (a shared CI or development box).
constexpr std::chrono::milliseconds openblas_settle{250};

template <typename eT>
class PairedSgemm : public TrainingObserver {
 public:
  PairedSgemm(GemmMix<eT>& mix, arma::uword every) : mix_(mix), every_(every), last_(Clock::now()) {}

  void on_batch(const StepContext&, arma::uword batch, arma::uword n_batches) override {
    ++batches_;
    if ((batch + 1) % every_ != 0 && batch + 1 != n_batches) return;
    train_seconds_ += std::chrono::duration<double>(Clock::now() - last_).count();
    // The column blocks' helper threads (libebm/column_blocks.hpp) linger
    // after training, yielding on the cores: let them sleep first, so that
    // the reference runs alone (untimed; the next slice of training then
    // pays their wake-up).
    std::this_thread::sleep_for(HelperThreads::linger * 2);
    const auto now = Clock::now();
    for (arma::uword i = 0; i < batches_; ++i) mix_.run();
    const auto end = Clock::now();
    sgemm_seconds_ += std::chrono::duration<double>(end - now).count();
    sgemm_flops_ += double(batches_) * mix_.flops;
    batches_ = 0;
    // And OpenBLAS's threads, woken by the reference, poll for work for
    // 2^THREAD_TIMEOUT cycles (2^28 by default: about 0.1 s) before they
    // sleep; training, whose products all run single-threaded in column
    // blocks, would share the cores with them for that long.  A training
    // run never wakes them, so let them sleep first (untimed).
    std::this_thread::sleep_for(openblas_settle);
    last_ = Clock::now();
  }
  void on_epoch(const EpochRecord&) override { last_ = Clock::now(); }

  double train_seconds() const { return train_seconds_; }
  double sgemm_gflops() const { return sgemm_flops_ / sgemm_seconds_ * 1e-9; }

 private:
  GemmMix<eT>& mix_;
  arma::uword every_, batches_ = 0;
  Clock::time_point last_;
  double train_seconds_ = 0, sgemm_seconds_ = 0, sgemm_flops_ = 0;
};

/// When OpenBLAS runs a generic core on a CPU with wider vectors, the way to
/// the fast path (docs/performance.md, "BLAS core"); empty otherwise.
std::string core_hint(const std::string& core) {
  const bool generic = core == "Prescott" || core == "Core2" || core == "Penryn" || core == "Dunnington" ||
                       core == "Nehalem" || core == "Atom" || core == "Katmai" || core == "Coppermine" ||
                       core == "Northwood" || core == "Banias" || core == "Opteron" || core == "Barcelona";
  if (!generic) return "";
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return "this CPU has AVX-512: OPENBLAS_CORETYPE=SkylakeX (or Cooperlake with avx512_bf16) runs sgemm several "
           "times faster";
  if (__builtin_cpu_supports("avx2")) return "this CPU has AVX2: OPENBLAS_CORETYPE=Haswell runs sgemm faster";
#endif
  return "";
}

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

template <typename eT>
int run_bench(const BenchArguments& a) {
  const ExperimentConfig config = parse_experiment_config("ebm bench", bench_config_text(a), {});
  Rng data_rng = data_rng_for(config.seed);

  // Data: an IDX/CSV file binarized at the threshold, or random binary data.
  const auto load_start = Clock::now();
  arma::Mat<eT> train, test;
  if (!a.data.empty()) {
    train = load_data<eT>(config.data, a.data, a.samples, data_rng);
  } else {
    train.set_size(a.visible, a.samples);
    data_rng.fill_uniform(train);
    train.transform([](eT x) { return x < eT(0.5) ? eT(0) : eT(1); });
  }
  if (!a.test.empty()) {
    test = load_data<eT>(config.data, a.test, 0, data_rng);
    if (test.n_rows != train.n_rows)
      throw InputError(a.test + ": samples have " + std::to_string(test.n_rows) + " values, the training data " +
                       std::to_string(train.n_rows));
  }
  if (train.n_cols == 0) throw InputError("ebm bench: no training samples");
  const double load_seconds = seconds_since(load_start);
  const arma::uword nv = train.n_rows, nh = a.hidden, n = train.n_cols;
  const arma::uword b = std::min<arma::uword>(a.batch, n);

  // The blocks, built from the registries as libebm/experiment.cpp does.
  Rng rng(config.seed);
  ModelContext<eT> context;
  context.n_visible = nv;
  context.make_layer = [&config](const std::string& type, arma::uword size) {
    return UnitsKind::registry<eT>::instance().create(type, config.block(type), size);
  };
  auto model = ModelKind::registry<eT>::instance().create(config.model_type, config.block(config.model_type), context);
  model->initialize(train, rng, config.weight_init_stddev);
  auto estimator = EstimatorKind::registry<eT>::instance().create(
      config.estimator, config.block(config.estimator),
      SamplerKind::registry<eT>::instance().create(config.sampler, config.block(config.sampler)));
  auto update_rule = UpdateKind::registry<eT>::instance().create(config.update, config.block(config.update));
  TrainerOptions options;
  options.epochs = config.epochs;
  options.batch_size = config.batch_size;
  options.monitor_initial = false;
  Trainer<eT> trainer(*model, *estimator, *update_rule, options);
  Rng gemm_rng(config.seed + 1);
  GemmMix<eT> mix(nv, nh, b, unsigned(a.k), gemm_rng);
  PairedSgemm<eT> paired(mix, 20);
  if (!a.train_only) trainer.set_observer(&paired);
  const auto& history = trainer.train(train, nullptr, rng);
  double train_seconds = 0;
  std::vector<double> epoch_seconds;
  for (const auto& r : history) train_seconds += r.seconds, epoch_seconds.push_back(r.seconds);
  // Without the interleaved sgemm slices (the epochs' wall time includes them).
  if (!a.train_only) train_seconds = paired.train_seconds();

  const double flops_per_product = 2.0 * double(nv) * double(nh);  // per sample
  const double products_per_batch = double(2 * a.k + 3);
  const double train_samples = double(n) * double(a.epochs);
  const double samples_per_second = train_samples / train_seconds;
  const double train_gflops = train_samples * products_per_batch * flops_per_product / train_seconds * 1e-9;

  if (a.train_only) {
    std::printf("ebm bench --train-only: %.3f s, %.0f samples/s, %.1f GFLOP/s effective; core %s\n", train_seconds,
                samples_per_second, train_gflops, trimmed(openblas_get_corename()).c_str());
    return 0;
  }

  // A sampling run: chains from the base-rate model, `gibbs_steps` steps.
  const arma::uword chains = a.gibbs_chains ? a.gibbs_chains : b;
  auto sampler = SamplerKind::registry<eT>::instance().create(config.sampler, config.block(config.sampler));
  State<eT> state;
  sampler->initialize_chains(*model, state, chains, rng);
  sampler->run(*model, state, 1, rng);  // warm up
  const auto gibbs_start = Clock::now();
  sampler->run(*model, state, unsigned(a.gibbs_steps), rng);
  const double gibbs_seconds = seconds_since(gibbs_start);
  const double gibbs_gflops = double(chains) * double(a.gibbs_steps) * 2.0 * flops_per_product / gibbs_seconds * 1e-9;

  // An AIS run from the base-rate model, as the `ais` monitor does it: per
  // temperature and run, one visible-to-hidden and one hidden-to-visible
  // product (2 * 2 * nv * nh flops).
  const std::vector<double> betas = annealing_schedule(a.ais_schedule);
  std::unique_ptr<Layer<eT>> base = clone_layer(model->layer(0));
  base->initialize_from_data(train);
  const auto ais_start = Clock::now();
  const LogPartitionEstimate ais = ais_log_partition(*model, *base, betas, arma::uword(a.ais_runs), rng);
  const double ais_seconds = seconds_since(ais_start);
  const double ais_transitions = double(a.ais_runs) * double(betas.size() - 1);
  const double ais_gflops = ais_transitions * 2.0 * flops_per_product / ais_seconds * 1e-9;

  const ShapeRates shapes = measure_shapes(mix, unsigned(a.sgemm_repeats));
  const double blas_error = gemm_error(mix);
  const double sgemm_gflops = paired.sgemm_gflops();

  const double error_train = reconstruction_error(*model, train);
  const double error_test = test.n_cols ? reconstruction_error(*model, test) : std::nan("");

  const std::string blas_config = trimmed(openblas_get_config());
  const std::string core = trimmed(openblas_get_corename());
  const int blas_threads = openblas_get_num_threads();
  const char* coretype_env = std::getenv("OPENBLAS_CORETYPE");
  const std::string coretype = coretype_env ? coretype_env : "";
  const std::string data_name = a.data.empty() ? "random binary" : a.data;
  const double rss = peak_rss_mib();
  const double data_mib = double(train.n_elem + test.n_elem) * sizeof(eT) / 1048576.0;
  double model_elements = 0;
  for (const auto& p : model->parameters()) model_elements += double(p.value->n_elem);
  const double model_mib = model_elements * sizeof(eT) / 1048576.0;

  if (a.json) {
    std::ostringstream o;
    o << "{\"command\":\"bench\",\"scalar\":" << json_string(a.scalar) << ",\"visible\":" << nv << ",\"hidden\":" << nh
      << ",\"batch\":" << b << ",\"samples\":" << n << ",\"data\":" << json_string(data_name)
      << ",\"estimator\":" << json_string(a.estimator) << ",\"k\":" << a.k << ",\"epochs\":" << a.epochs
      << ",\"train_seconds\":" << json_number(train_seconds) << ",\"epoch_seconds\":[";
    for (std::size_t i = 0; i < epoch_seconds.size(); ++i) o << (i ? "," : "") << json_number(epoch_seconds[i]);
    o << "],\"samples_per_second\":" << json_number(samples_per_second)
      << ",\"train_gflops\":" << json_number(train_gflops) << ",\"sgemm_gflops\":" << json_number(sgemm_gflops)
      << ",\"sgemm_gflops_visible_to_hidden\":" << json_number(shapes.visible_to_hidden)
      << ",\"sgemm_gflops_hidden_to_visible\":" << json_number(shapes.hidden_to_visible)
      << ",\"sgemm_gflops_gradient\":" << json_number(shapes.gradient)
      << ",\"ratio_to_sgemm\":" << json_number(train_gflops / sgemm_gflops)
      << ",\"sgemm_error_eps_sqrt_k\":" << json_number(blas_error) << ",\"gibbs_chains\":" << chains
      << ",\"gibbs_steps\":" << a.gibbs_steps << ",\"gibbs_seconds\":" << json_number(gibbs_seconds)
      << ",\"gibbs_gflops\":" << json_number(gibbs_gflops) << ",\"ais_runs\":" << a.ais_runs
      << ",\"ais_temperatures\":" << betas.size() - 1 << ",\"ais_seconds\":" << json_number(ais_seconds)
      << ",\"ais_gflops\":" << json_number(ais_gflops) << ",\"ais_log_z\":" << json_number(ais.log_z)
      << ",\"ais_log_z_standard_error\":" << json_number(ais.standard_error)
      << ",\"reconstruction_error_train\":" << json_number(error_train)
      << ",\"reconstruction_error_test\":" << json_number(error_test) << ",\"peak_rss_mib\":" << json_number(rss)
      << ",\"data_mib\":" << json_number(data_mib) << ",\"model_mib\":" << json_number(model_mib)
      << ",\"load_seconds\":" << json_number(load_seconds) << ",\"blas\":" << json_string(blas_config)
      << ",\"blas_core\":" << json_string(core) << ",\"openblas_coretype_env\":" << json_string(coretype)
      << ",\"blas_threads\":" << blas_threads << ",\"omp_threads\":" << omp_get_max_threads()
      << ",\"version\":" << json_string(EBM_VERSION) << "}";
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("ebm bench: %s RBM %llux%llu, %s-%llu, batch %llu, %llu samples (%s), %llu epoch(s)\n",
                a.scalar.c_str(), (unsigned long long)nv, (unsigned long long)nh, a.estimator.c_str(),
                (unsigned long long)a.k, (unsigned long long)b, (unsigned long long)n, data_name.c_str(),
                (unsigned long long)a.epochs);
    std::printf("  BLAS            %s\n", blas_config.c_str());
    std::printf("  core            %s (OPENBLAS_CORETYPE=%s), %d BLAS threads, %d OpenMP threads\n", core.c_str(),
                coretype_env ? coretype.c_str() : "(unset)", blas_threads, omp_get_max_threads());
    if (!core_hint(core).empty()) std::printf("  hint            %s\n", core_hint(core).c_str());
    std::printf("  training        %.3f s, %.0f samples/s, %.1f GFLOP/s effective (%llu products per batch)\n",
                train_seconds, samples_per_second, train_gflops, (unsigned long long)(2 * a.k + 3));
    std::printf("  sgemm           %.1f GFLOP/s for the same products, timed between slices of training\n",
                sgemm_gflops);
    std::printf("                  (alone, best of %llu: W'V %.1f, WH %.1f, VH' %.1f)\n",
                (unsigned long long)a.sgemm_repeats, shapes.visible_to_hidden, shapes.hidden_to_visible,
                shapes.gradient);
    std::printf("  ratio           %.3f of sgemm\n", train_gflops / sgemm_gflops);
    std::printf("  sgemm check     largest error %.3f eps sqrt(k) against double products (%s)\n", blas_error,
                blas_error < 4 ? "ok" : "SUSPECT: check this BLAS core");
    std::printf("  Gibbs sampling  %llu chains x %llu steps: %.3f s, %.1f GFLOP/s\n", (unsigned long long)chains,
                (unsigned long long)a.gibbs_steps, gibbs_seconds, gibbs_gflops);
    std::printf("  AIS             %llu runs x %llu temperatures: %.3f s, %.1f GFLOP/s, log Z %.3f +- %.3f\n",
                (unsigned long long)a.ais_runs, (unsigned long long)(betas.size() - 1), ais_seconds, ais_gflops,
                ais.log_z, ais.standard_error);
    std::printf("  reconstruction  train %.5f", error_train);
    if (test.n_cols) std::printf(", test %.5f", error_test);
    std::printf(" (mean squared error per unit)\n");
    std::printf("  peak RSS        %.1f MiB (data %.1f MiB, model %.2f MiB)\n", rss, data_mib, model_mib);
  }
  return 0;
}

}  // namespace

int bench(int argc, char** argv) {
  const std::string usage =
      "ebm bench [--visible NV] [--hidden NH] [--batch B] [--samples N | --data IDX [--test IDX]] "
      "[--estimator cd|pcd] [--k K] [--epochs E] [--scalar float|double] [--ais-runs R] [--ais-schedule S] [--json]";
  BenchArguments a;
  po::options_description options("options");
  options.add_options()("visible", po::value<std::uint64_t>(&a.visible)->default_value(784),
                        "visible units of the random data (ignored with --data)")(
      "hidden", po::value<std::uint64_t>(&a.hidden)->default_value(500), "hidden units")(
      "batch", po::value<std::uint64_t>(&a.batch)->default_value(100), "minibatch size")(
      "samples", po::value<std::uint64_t>(&a.samples)->default_value(60000),
      "training samples (random binary data; with --data, the first N of the file, 0: all)")(
      "data", po::value<std::string>(&a.data), "train on an IDX (or CSV) file instead, binarized at --threshold")(
      "test", po::value<std::string>(&a.test), "held-out data for the test reconstruction error")(
      "threshold", po::value<double>(&a.threshold)->default_value(0.5), "binarization threshold for --data")(
      "estimator", po::value<std::string>(&a.estimator)->default_value("cd"), "cd or pcd")(
      "k", po::value<std::uint64_t>(&a.k)->default_value(1), "sampler steps per update")(
      "epochs", po::value<std::uint64_t>(&a.epochs)->default_value(1), "training epochs timed")(
      "scalar", po::value<std::string>(&a.scalar)->default_value("float"), "float or double")(
      "learning-rate", po::value<double>(&a.learning_rate)->default_value(0.1, "0.1"), "SGD learning rate (constant)")(
      "momentum", po::value<double>(&a.momentum)->default_value(0.0), "SGD momentum")(
      "weight-decay", po::value<double>(&a.weight_decay)->default_value(0.0), "L2 weight decay")(
      "gibbs-chains", po::value<std::uint64_t>(&a.gibbs_chains)->default_value(0),
      "chains of the sampling run (0: the batch size)")(
      "gibbs-steps", po::value<std::uint64_t>(&a.gibbs_steps)->default_value(200), "steps of the sampling run")(
      "ais-runs", po::value<std::uint64_t>(&a.ais_runs)->default_value(100), "runs of the AIS run")(
      "ais-schedule", po::value<std::string>(&a.ais_schedule)->default_value(a.ais_schedule),
      "AIS schedule END:STEPS,... (Salakhutdinov & Murray 2008's is 0.5:500,0.9:4000,1:10000)")(
      "sgemm-repeats", po::value<std::uint64_t>(&a.sgemm_repeats)->default_value(20),
      "timings of each sgemm shape (the best is reported)")("seed", po::value<std::uint64_t>(&a.seed)->default_value(1),
                                                            "seed of the run")(
      "train-only", po::bool_switch(&a.train_only),
      "time training only: no sampling run, sgemm or reconstruction error (for profilers)")(
      "json", po::bool_switch(&a.json), "print one JSON object");
  po::positional_options_description positional;
  po::variables_map values;
  if (!parse_command_line("bench", usage, argc, argv, options, positional, values)) return 0;
  if (a.estimator != "cd" && a.estimator != "pcd")
    throw InputError("ebm bench: --estimator '" + a.estimator + "': expected cd or pcd");
  if (a.scalar != "float" && a.scalar != "double")
    throw InputError("ebm bench: --scalar '" + a.scalar + "': expected float or double");
  if (a.hidden == 0 || a.batch == 0 || a.epochs == 0 || a.sgemm_repeats == 0 || a.ais_runs == 0)
    throw InputError("ebm bench: --hidden, --batch, --epochs, --sgemm-repeats and --ais-runs must be >= 1");
  if (a.data.empty() && (a.visible == 0 || a.samples == 0))
    throw InputError("ebm bench: --visible and --samples must be >= 1");
  return a.scalar == "double" ? run_bench<double>(a) : run_bench<float>(a);
}

}  // namespace ebm::tool
