#include "libebm/distributed/mpi_communicator.hpp"

#include <cstdlib>
#include <functional>

#include "libebm/error.hpp"

#ifdef EBM_WITH_MPI
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/collectives/all_gatherv.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#endif

namespace ebm {

#ifdef EBM_WITH_MPI

namespace {

class MpiCommunicator final : public Communicator {
 public:
  int rank() const override { return world_.rank(); }
  int size() const override { return world_.size(); }
  void sum(float* data, std::size_t n) override { sum_impl(data, n); }
  void sum(double* data, std::size_t n) override { sum_impl(data, n); }
  std::vector<float> all_gather(const float* data, std::size_t n) override { return gather_impl(data, n); }
  std::vector<double> all_gather(const double* data, std::size_t n) override { return gather_impl(data, n); }

 private:
  // A reduction to rank 0 and a broadcast of its result rather than an
  // allreduce: MPI lets an allreduce add in a different order on different
  // processes, and then the parameters, updated from those sums, would
  // drift apart bit by bit.  The message volume is twice the gradient's;
  // docs/distributed.md counts it.
  template <typename T>
  void sum_impl(T* data, std::size_t n) {
    if (world_.size() == 1 || n == 0) return;
    buffer_.resize(n * sizeof(T));
    T* reduced = reinterpret_cast<T*>(buffer_.data());
    boost::mpi::reduce(world_, data, int(n), reduced, std::plus<T>(), 0);
    if (world_.rank() == 0) std::copy(reduced, reduced + n, data);
    boost::mpi::broadcast(world_, data, int(n), 0);
  }

  template <typename T>
  std::vector<T> gather_impl(const T* data, std::size_t n) {
    std::vector<int> sizes;
    boost::mpi::all_gather(world_, int(n), sizes);
    std::vector<T> out;
    std::size_t total = 0;
    for (int s : sizes) total += std::size_t(s);
    out.resize(total);
    boost::mpi::all_gatherv(world_, data, out.data(), sizes);
    return out;
  }

  boost::mpi::communicator world_;
  std::vector<char> buffer_;
};

}  // namespace

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

std::unique_ptr<Communicator> make_mpi_communicator() {
  // One environment for the whole process: MPI may be initialised once.
  static boost::mpi::environment environment(boost::mpi::threading::single, false);
  return std::make_unique<MpiCommunicator>();
}

#else

bool launched_by_mpi() { return false; }

std::unique_ptr<Communicator> make_mpi_communicator() {
  throw ContractError("make_mpi_communicator(): this build of ebm has no MPI (install libboost-mpi-dev and rebuild)");
}

#endif

}  // namespace ebm
