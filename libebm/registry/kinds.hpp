// The kinds of block and what their factories receive.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libebm/connections/connection.hpp"
#include "libebm/gradient_estimator.hpp"
#include "libebm/model.hpp"
#include "libebm/monitor.hpp"
#include "libebm/registry/registry.hpp"
#include "libebm/sampler.hpp"
#include "libebm/training/update_rule.hpp"
#include "libebm/units/layer.hpp"

namespace ebm {

/// What a model factory gets besides its own options: the data's width and
/// a way to build unit types by name (with their own options).
template <typename eT>
struct ModelContext {
  arma::uword n_visible = 0;
  std::function<std::unique_ptr<Layer<eT>>(const std::string& type, arma::uword size)> make_layer;
};

// create(const BlockOptions&, const ModelContext<eT>&)
struct ModelKind {
  static constexpr const char* name = "model";
  template <typename eT> using base = Model<eT>;
  template <typename eT> using registry = Registry<Model<eT>, const ModelContext<eT>&>;
};
// create(const BlockOptions&, arma::uword size)
struct UnitsKind {
  static constexpr const char* name = "units";
  template <typename eT> using base = Layer<eT>;
  template <typename eT> using registry = Registry<Layer<eT>, arma::uword>;
};
// create(const BlockOptions&, from, to, n_from, n_to)
struct ConnectionKind {
  static constexpr const char* name = "connection";
  template <typename eT> using base = Connection<eT>;
  template <typename eT> using registry = Registry<Connection<eT>, arma::uword, arma::uword, arma::uword, arma::uword>;
};
// create(const BlockOptions&)
struct SamplerKind {
  static constexpr const char* name = "sampler";
  template <typename eT> using base = Sampler<eT>;
  template <typename eT> using registry = Registry<Sampler<eT>>;
};
// create(const BlockOptions&, std::unique_ptr<Sampler<eT>>)
struct EstimatorKind {
  static constexpr const char* name = "estimator";
  template <typename eT> using base = GradientEstimator<eT>;
  template <typename eT> using registry = Registry<GradientEstimator<eT>, std::unique_ptr<Sampler<eT>>>;
};
// create(const BlockOptions&)
struct UpdateKind {
  static constexpr const char* name = "update";
  template <typename eT> using base = UpdateRule<eT>;
  template <typename eT> using registry = Registry<UpdateRule<eT>>;
};
// create(const BlockOptions&)
struct MonitorKind {
  static constexpr const char* name = "monitor";
  template <typename eT> using base = Monitor<eT>;
  template <typename eT> using registry = Registry<Monitor<eT>>;
};

}  // namespace ebm
