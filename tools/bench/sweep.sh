#!/usr/bin/env bash
# Time per training epoch against the visible and hidden layer sizes, the
# batch size and the BLAS thread count: `ebm bench --train-only` (CD-1, float,
# random binary data) for each setting, printed as a Markdown table for
# docs/benchmarks.md.  Timing only: never part of the tests.
#
# usage: tools/bench/sweep.sh [--ebm PATH] [--samples N]
#   N samples per epoch (default 10000); the core is OPENBLAS_CORETYPE's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ebm="$root/build/tools/ebm"
samples=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --ebm) ebm="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "sweep.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
echo "CD-1, float, $samples random binary samples per epoch, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}"
echo
echo "| nv | nh | batch | seconds/epoch, 1 thread | seconds/epoch, 2 threads | samples/s, 2 threads | GFLOP/s, 2 threads |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
run() {  # run NV NH BATCH THREADS -> "seconds samples/s gflops"
  OPENBLAS_NUM_THREADS="$4" "$ebm" bench --train-only --visible "$1" --hidden "$2" --batch "$3" --samples "$samples" |
    sed -E 's/.*: ([0-9.]+) s, ([0-9]+) samples\/s, ([0-9.]+) GFLOP.*/\1 \2 \3/'
}
for setting in "784 100 100" "784 500 100" "784 2000 100" "784 500 20" "784 500 500" "256 500 100" "2048 500 100" \
               "2048 2000 100"; do
  set -- $setting
  read -r s1 _ _ <<<"$(run "$1" "$2" "$3" 1)"
  read -r s2 r2 g2 <<<"$(run "$1" "$2" "$3" 2)"
  echo "| $1 | $2 | $3 | $s1 | $s2 | $r2 | $g2 |"
done
