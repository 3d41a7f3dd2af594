// Extension point: the processes of a data-parallel training run.
//
// Data-parallel training (docs/distributed.md): every process holds the
// whole model and the whole data set, takes its shard of the columns of
// every minibatch (and of the persistent chains), computes its share of the
// gradient, and the shares are summed over the processes before every
// process applies the same update.  The only thing that crosses processes is
// this interface, so the trainer does not depend on MPI: SingleProcess is
// the default, MpiCommunicator (mpi_communicator.hpp, built with Boost.MPI)
// runs under mpirun, and another transport needs only these methods.
//
// CONTRACT
//   - rank() in [0, size()); the same size() on every process.
//   - sum(data, n): collective; afterwards every process holds the sum over
//     processes of its `data`, and the SAME bits on every process (so
//     parameters never drift apart); the order of the additions is fixed by
//     the implementation, not by timing.
//   - all_gather(data, n): collective; every process receives the
//     concatenation, in rank order, of every process's `data` (n may differ
//     between processes).
//   - Every process calls the collectives in the same order.
#pragma once

#include <armadillo>
#include <cstddef>
#include <vector>

namespace ebm {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void sum(float* data, std::size_t n) = 0;
  virtual void sum(double* data, std::size_t n) = 0;
  virtual std::vector<float> all_gather(const float* data, std::size_t n) = 0;
  virtual std::vector<double> all_gather(const double* data, std::size_t n) = 0;
};

/// The communicator of a run that is not distributed: rank 0 of 1.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(float*, std::size_t) override {}
  void sum(double*, std::size_t) override {}
  std::vector<float> all_gather(const float* data, std::size_t n) override { return {data, data + n}; }
  std::vector<double> all_gather(const double* data, std::size_t n) override { return {data, data + n}; }
};

/// The columns [first, first + count) of n that process `rank` of `size`
/// takes: contiguous, in rank order, sizes differing by at most one.
struct ColumnShard {
  arma::uword first = 0, count = 0;
};
inline ColumnShard column_shard(arma::uword n, int rank, int size) {
  const arma::uword r = arma::uword(rank), s = arma::uword(size);
  const arma::uword first = n * r / s, last = n * (r + 1) / s;
  return {first, last - first};
}

/// Every process's columns of a matrix split by column_shard, joined into
/// the whole matrix on every process (collective).
template <typename eT>
arma::Mat<eT> gather_columns(Communicator& communicator, const arma::Mat<eT>& local) {
  if (communicator.size() == 1) return local;
  const std::vector<eT> all = communicator.all_gather(local.memptr(), local.n_elem);
  if (local.n_rows == 0) return arma::Mat<eT>();
  return arma::Mat<eT>(all.data(), local.n_rows, all.size() / local.n_rows);
}

}  // namespace ebm
