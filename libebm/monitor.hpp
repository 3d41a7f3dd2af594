// Extension point: a monitor measures a model during training.
//
// CONTRACT
//   measure(model, data, out): appends (name, value) pairs to `out`, names in
//   lower_snake and stable across calls (they become CSV columns and JSON
//   keys), values in the units the name says (nats are natural-log units per
//   sample).  Must not change the model.  Deterministic: a monitor that needs
//   randomness owns a generator seeded at construction, so measuring never
//   disturbs the training run's random stream.  A monitor that does not
//   apply to a model (e.g. exact likelihood of a model too large to
//   enumerate) says so by throwing ContractError from applies_to()'s check
//   at setup time rather than failing mid-run.
#pragma once

#include <boost/serialization/access.hpp>
#include <string>
#include <utility>
#include <vector>

#include "libebm/config/block_options.hpp"

#include "libebm/model.hpp"

namespace ebm {

using Measurements = std::vector<std::pair<std::string, double>>;

/// The data a monitor may look at.  `test` may be null.
template <typename eT>
struct MonitorData {
  const arma::Mat<eT>* train = nullptr;
  const arma::Mat<eT>* test = nullptr;
};

template <typename eT>
class Monitor {
 public:
  virtual ~Monitor() = default;
  virtual std::string type_name() const = 0;
  /// Throws ContractError (naming the monitor and the reason) when the
  /// monitor cannot measure `model`.
  virtual void check_applies_to(const Model<eT>& model) const { (void)model; }
  virtual void measure(const Model<eT>& model, const MonitorData<eT>& data, Measurements& out) = 0;

 private:
  friend class boost::serialization::access;
  template <class Archive>
  void serialize(Archive&, const unsigned int) {}
};

/// The first min(limit, n_cols) columns of x (limit 0: all), without a copy
/// when nothing is cut.  Monitors use a fixed subset so that numbers from
/// different epochs are comparable.
template <typename eT>
const arma::Mat<eT>& leading_columns(const arma::Mat<eT>& x, arma::uword limit, arma::Mat<eT>& scratch) {
  if (limit == 0 || limit >= x.n_cols) return x;
  scratch = x.cols(0, limit - 1);
  return scratch;
}

}  // namespace ebm
