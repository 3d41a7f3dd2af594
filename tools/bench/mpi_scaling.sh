#!/usr/bin/env bash
# Data-parallel scaling on this machine (docs/distributed.md): one epoch of
# the Fashion-MNIST RBM (784x500, CD-1 or PCD-1) with 1 process and with 2
# processes, BLAS threads set so that processes x threads = cores, each
# configuration twice, alternating.  Prints samples/s per run and the ratio.
#   tools/bench/mpi_scaling.sh [ROUNDS=2] [BATCH=100] [ESTIMATOR=cd]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ebm="${EBM:-$root/build/tools/ebm}"
rounds="${1:-2}" batch="${2:-100}" estimator="${3:-cd}"
config="$root/tools/configs/fashion_mnist_rbm.ini"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(--quiet --json --set training.epochs=1 --set training.batch_size="$batch" --set training.estimator="$estimator"
        --set monitor.list=reconstruction --set output.model=)
rate() { python3 -c 'import json,sys; r=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(round(r["samples_per_second"]), r["reconstruction_error_test"])'; }
echo "ebm data-parallel scaling: $estimator-1, 784x500, global batch $batch, $(date -u +%FT%TZ), core ${OPENBLAS_CORETYPE:-auto}"
for ((i = 1; i <= rounds; ++i)); do
  echo "round $i: 1 process, 2 BLAS threads:   $(OPENBLAS_NUM_THREADS=2 "$ebm" train "$config" "${common[@]}" | rate)"
  echo "round $i: 1 process, 1 BLAS thread:    $(OPENBLAS_NUM_THREADS=1 "$ebm" train "$config" "${common[@]}" | rate)"
  echo "round $i: 2 processes, 1 BLAS thread:  $(OPENBLAS_NUM_THREADS=1 mpirun --oversubscribe -np 2 "$ebm" train "$config" "${common[@]}" | rate)"
done
