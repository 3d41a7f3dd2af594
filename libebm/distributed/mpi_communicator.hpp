// The communicator of a run started by mpirun, through Boost.MPI (Debian's
// libboost-mpi-dev over Open MPI).  Built only when CMake finds Boost.MPI
// (EBM_WITH_MPI); `ebm train` uses it when it runs under mpirun.
#pragma once

#include <memory>

#include "libebm/distributed/communicator.hpp"

namespace ebm {

/// True when this process was started by an MPI launcher (mpirun/mpiexec:
/// OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK set) and the library was built
/// with MPI.
bool launched_by_mpi();

/// Initialises MPI (once per process; finalised at exit) and returns the
/// world communicator.  Throws ContractError when built without MPI.
std::unique_ptr<Communicator> make_mpi_communicator();

}  // namespace ebm
