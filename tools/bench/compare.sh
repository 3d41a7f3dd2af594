#!/usr/bin/env bash
# ebm against its peers, side by side in one session: `ebm bench` (CD-1 and
# PCD-1), scikit-learn's BernoulliRBM (PCD-1) and a plain PyTorch RBM (CD-1)
# on binarized Fashion-MNIST (784x500, batch 100, one epoch, float32), run in
# alternation for ROUNDS rounds under the same OpenBLAS core, then the
# medians and the ratios.  With --long also CD-10 / PCD-10 (ebm) and CD-10
# (torch) on the first 10000 samples.  Timing only: never part of the tests.
#
# usage: tools/bench/compare.sh [--rounds N] [--long] [--ebm PATH] [--out DIR]
#   The core is whatever OPENBLAS_CORETYPE says (unset: OpenBLAS's own
#   detection); set it per run, e.g. OPENBLAS_CORETYPE=Cooperlake tools/bench/compare.sh
#   Needs the Debian packages dataset-fashion-mnist, python3-sklearn and
#   python3-torch (torch is skipped with a note when missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ebm="$root/build/tools/ebm"
rounds=3
long=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --long) long=1; shift ;;
    --ebm) ebm="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
python=/usr/bin/python3  # the Debian interpreter, which has the packaged peers
data=/usr/share/datasets/fashion-mnist
[ -x "$ebm" ] || { echo "compare.sh: no ebm binary at $ebm (build first, or --ebm PATH)" >&2; exit 2; }
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "compare.sh: install dataset-fashion-mnist" >&2; exit 2; }
[ -n "$out" ] || out="$(mktemp -d)"
mkdir -p "$out"
have_torch=1
"$python" -c "import torch" 2>/dev/null || { have_torch=0; echo "note: python3-torch missing, torch skipped" >&2; }

ebm_run() {  # ebm_run NAME ARGS...
  local name="$1"; shift
  "$ebm" bench --data "$data/train-images-idx3-ubyte.gz" --test "$data/t10k-images-idx3-ubyte.gz" --json "$@" \
    >>"$out/$name.jsonl"
}

echo "core: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}; $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; results in $out" >&2
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  ebm_run ebm_cd1 --samples 0 --estimator cd --k 1
  "$python" "$here/peers/sklearn_rbm.py" >>"$out/sklearn_pcd1.jsonl"
  ebm_run ebm_pcd1 --samples 0 --estimator pcd --k 1
  # torch's fastest configuration on 2 cores (docs/benchmarks.md): one torch
  # thread, one OpenBLAS thread -- more threads fight over the cores.
  [ "$have_torch" = 1 ] && OPENBLAS_NUM_THREADS=1 "$python" "$here/peers/torch_rbm.py" --threads 1 --k 1 \
    >>"$out/torch_cd1.jsonl"
  if [ "$long" = 1 ]; then
    ebm_run ebm_cd10 --samples 10000 --estimator cd --k 10
    ebm_run ebm_pcd10 --samples 10000 --estimator pcd --k 10
    [ "$have_torch" = 1 ] && OPENBLAS_NUM_THREADS=1 "$python" "$here/peers/torch_rbm.py" --threads 1 --k 10 \
      --samples 10000 >>"$out/torch_cd10.jsonl"
  fi
done

"$python" - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
runs = {os.path.basename(f)[:-6]: [json.loads(l) for l in open(f) if l.strip()] for f in glob.glob(f"{out}/*.jsonl")}
med = lambda name, key: statistics.median(r[key] for r in runs[name]) if name in runs else float("nan")
print(f"{'run':14} {'core':11} {'samples/s':>10} {'test recon':>10} {'ebm/sgemm':>9}  (medians of {max(len(v) for v in runs.values())})")
for name in ["ebm_cd1", "ebm_pcd1", "sklearn_pcd1", "torch_cd1", "ebm_cd10", "ebm_pcd10", "torch_cd10"]:
    if name not in runs:
        continue
    ratio = f"{med(name, 'ratio_to_sgemm'):9.3f}" if name.startswith("ebm") else " " * 9
    print(f"{name:14} {runs[name][0].get('blas_core', ''):11} {med(name, 'samples_per_second'):10.0f} "
          f"{med(name, 'reconstruction_error_test'):10.5f} {ratio}")
for a, b in [("ebm_pcd1", "sklearn_pcd1"), ("ebm_cd1", "torch_cd1"), ("ebm_cd10", "torch_cd10")]:
    if a in runs and b in runs:
        print(f"{a} / {b}: {med(a, 'samples_per_second') / med(b, 'samples_per_second'):.2f}x samples/s, "
              f"test reconstruction error {med(a, 'reconstruction_error_test'):.5f} vs {med(b, 'reconstruction_error_test'):.5f}")
PY
