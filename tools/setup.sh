#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds ebm, then either trains
# the example model or runs the test suite.
#
#   bash tools/setup.sh train   # the quick start: RBM on Fashion-MNIST
#   bash tools/setup.sh test    # build and run the whole test suite
#   bash tools/setup.sh build   # only install and build
#
# BUILD_DIR (default: build) and JOBS (default: number of cores) can be set
# in the environment.
set -euo pipefail

mode="${1:-train}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"

packages=(cmake make g++ libarmadillo-dev libopenblas-dev libboost-program-options-dev
          libboost-serialization-dev libboost-test-dev zlib1g-dev libpng-dev gnuplot-nox dataset-fashion-mnist
          libboost-mpi-dev openmpi-bin)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Build output goes to stderr so that stdout carries only results (JSON lines).
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$build" -j "$jobs" >&2

case "$mode" in
  build) ;;
  train)
    echo "== RBM, 500 hidden units, PCD-1 on Fashion-MNIST ==" >&2
    "$build/tools/ebm" train "$root/tools/configs/fashion_mnist_rbm.ini" --json
    echo "== companion: 20 hidden units, exact log-likelihood by enumeration ==" >&2
    "$build/tools/ebm" train "$root/tools/configs/fashion_mnist_rbm_small.ini" --json
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    ;;
  *)
    echo "usage: bash tools/setup.sh [train|test|build]" >&2
    exit 2
    ;;
esac
