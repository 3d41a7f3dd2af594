#include "libebm/io/experiment_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "libebm/config/block_options.hpp"
#include "libebm/connections/dense_connection.hpp"
#include "libebm/error.hpp"
#include "libebm/io/png_grid.hpp"
#include "libebm/registry/kinds.hpp"

#ifndef EBM_GIT_REVISION
#define EBM_GIT_REVISION "unknown"
#endif

namespace ebm {

std::string git_revision() { return EBM_GIT_REVISION; }

namespace {

bool has_image_shape(arma::uword n, const PictureOptions& o) {
  if (o.image_rows && o.image_cols) return o.image_rows * o.image_cols == n;
  const auto side = arma::uword(std::llround(std::sqrt(double(n))));
  return side * side == n;
}

GridOptions grid_for(const PictureOptions& o, bool normalize_each) {
  GridOptions g;
  g.image_rows = o.image_rows;
  g.image_cols = o.image_cols;
  g.normalize_each = normalize_each;
  return g;
}

/// Values of any unit type mapped into [0, 1] for a picture (spins: -1..1).
template <typename eT>
arma::Mat<eT> to_unit_interval(const arma::Mat<eT>& x) {
  if (x.n_elem && x.min() < 0) return (x + 1) / 2;
  return x;
}

}  // namespace

template <typename eT>
std::vector<std::string> write_pictures(const std::string& folder, const Model<eT>& model, const arma::Mat<eT>& data,
                                        const PictureOptions& o) {
  std::vector<std::string> notes;
  const arma::uword nv = model.n_visible();
  if (!has_image_shape(nv, o)) {
    notes.push_back("pictures skipped: " + std::to_string(nv) +
                    " visible units are not an image; set output.image_shape = ROWSxCOLS");
    return notes;
  }
  const std::filesystem::path dir(folder);

  // Filters: the weights into each hidden unit, seen as an image.
  for (arma::uword c = 0; c < model.n_connections(); ++c) {
    const auto* dense = dynamic_cast<const DenseConnection<eT>*>(&model.connection(c));
    if (!dense || dense->from() != 0) continue;
    const arma::uword n = std::min<arma::uword>(o.count, dense->weights().n_cols);
    write_png_grid((dir / "filters.png").string(), arma::Mat<eT>(dense->weights().cols(0, n - 1)), grid_for(o, true));
    break;
  }

  // Samples from the model's own sampler, from its starting distribution.
  try {
    auto sampler = SamplerKind::registry<eT>::instance().create(
        o.sampler, TypeCatalog::instance().defaults(SamplerKind::name, o.sampler));
    Rng rng(o.seed);
    arma::Mat<eT> mean;  // conditional means: clearer than binary samples
    model.generate(*sampler, o.count, unsigned(o.sample_steps), rng, mean, true);
    write_png_grid((dir / "samples.png").string(), to_unit_interval(mean), grid_for(o, false));
  } catch (const ContractError& e) {
    notes.push_back(std::string("samples.png skipped: ") + e.what());
  }

  // Reconstructions: rows of 10 data images, each followed by a row of their
  // reconstructions (latent expectations, then the visible mean).
  const arma::uword n = std::min<arma::uword>(std::min<arma::uword>(o.count / 2, 50), data.n_cols);
  if (n > 0) {
    const arma::Mat<eT> shown = data.cols(0, n - 1);
    State<eT> state;
    model.positive_phase(shown, state);
    arma::Mat<eT> input, reconstruction;
    model.total_input(0, state, input);
    model.layer(0).mean(input, reconstruction);
    const arma::uword per_row = 10, rows = (n + per_row - 1) / per_row;
    arma::Mat<eT> grid(nv, 2 * rows * per_row, arma::fill::zeros);
    for (arma::uword i = 0; i < n; ++i) {
      const arma::uword r = i / per_row, c = i % per_row;
      grid.col(2 * r * per_row + c) = shown.col(i);
      grid.col((2 * r + 1) * per_row + c) = reconstruction.col(i);
    }
    GridOptions g = grid_for(o, false);
    g.grid_cols = per_row;
    write_png_grid((dir / "reconstructions.png").string(), to_unit_interval(grid), g);
  }
  return notes;
}

std::vector<std::string> write_curves(const std::string& folder, const std::vector<EpochRecord>& history) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0)
    return {"curves skipped: gnuplot is not installed (Debian package gnuplot-nox)"};
  // Group train/test (and AIS bands) of one quantity into one plot.
  std::map<std::string, std::vector<std::string>> groups;
  std::vector<std::string> names;
  for (const auto& r : history)
    for (const auto& [name, value] : r.measurements)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  for (const auto& name : names) {
    std::string group = name;
    for (const char* suffix : {"_train", "_test", "_test_minus_3sd", "_test_plus_3sd", "_minus_3sd", "_plus_3sd"}) {
      const std::string s = suffix;
      if (group.size() > s.size() && group.compare(group.size() - s.size(), s.size(), s) == 0) {
        group.resize(group.size() - s.size());
        break;
      }
    }
    groups[group].push_back(name);
  }
  const std::filesystem::path dir = std::filesystem::path(folder) / "curves";
  std::filesystem::create_directories(dir);
  std::vector<std::string> notes;
  for (const auto& [group, members] : groups) {
    const std::string data_path = (dir / (group + ".dat")).string();
    {
      std::ofstream out(data_path);
      out.precision(10);
      for (const auto& r : history) {
        bool any = false;
        std::ostringstream line;
        line.precision(10);
        line << r.epoch;
        for (const auto& m : members) {
          const double v = r.get(m);
          line << " " << (std::isfinite(v) ? std::to_string(v) : std::string("NaN"));
          any = any || std::isfinite(v);
        }
        if (any) out << line.str() << "\n";
      }
    }
    std::ostringstream script;
    script << "set terminal svg size 640,400 dynamic\nset output '" << (dir / (group + ".svg")).string() << "'\n"
           << "set xlabel 'epoch'\nset ylabel '" << group << "'\nset key bottom right\nset grid\nset datafile missing 'NaN'\n"
           << "plot ";
    for (std::size_t i = 0; i < members.size(); ++i)
      script << (i ? ", " : "") << "'" << data_path << "' using 1:" << i + 2 << " with linespoints title '"
             << members[i] << "'";
    script << "\n";
    const std::string script_path = (dir / (group + ".gp")).string();
    std::ofstream(script_path) << script.str();
    if (std::system(("gnuplot '" + script_path + "' 2>/dev/null").c_str()) != 0)
      notes.push_back("curve " + group + ": gnuplot failed");
    std::filesystem::remove(script_path);
  }
  return notes;
}

template std::vector<std::string> write_pictures<float>(const std::string&, const Model<float>&,
                                                        const arma::Mat<float>&, const PictureOptions&);
template std::vector<std::string> write_pictures<double>(const std::string&, const Model<double>&,
                                                         const arma::Mat<double>&, const PictureOptions&);

}  // namespace ebm
