#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, ASan and
# UBSan, and runs each for a bounded time.  See docs/fuzzing.md.
#
#   bash tools/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]
#
# TARGETs (default: all): archive payload checkpoint_payload config idx csv.
# Targets run one after the other, one fuzzer process at a time.  Prints one
# summary line per target and exits 1 if any target found something (crash,
# sanitizer report, uncaught exception, leak, out-of-memory, timeout); the
# inputs are then in build-fuzz/artifacts/<target>/ and each target's log in
# build-fuzz/logs/<target>.log.  Reproduce one with
#   ./build-fuzz/fuzz_<target> build-fuzz/artifacts/<target>/crash-...
#
# Environment:
#   BUILD_DIR    build directory (default: build-fuzz)
#   JOBS         parallel compile jobs (default: 2)
#   FUZZ_FORK=1  keep going after a finding (libFuzzer -fork=1 with
#                -ignore_crashes/-ignore_ooms/-ignore_timeouts: still one
#                fuzzing process at a time, each finding saved as an artifact)
#   FUZZ_TIMEOUT seconds one input may take before it counts as a hang (default: 30)
#   FUZZ_ARGS    extra libFuzzer flags, e.g. "-seed=1"
#   SKIP_BUILD=1 reuse the executables already in BUILD_DIR
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: bash tools/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]" >&2
  exit 2
fi
all_targets=(archive payload checkpoint_payload config idx csv)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  if [[ ! -f "tests/fuzz/fuzz_$t.cpp" ]]; then
    echo "fuzz: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
done

build="${BUILD_DIR:-$root/build-fuzz}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
jobs="${JOBS:-2}"
timeout="${FUZZ_TIMEOUT:-30}"

# Maximum input length per target: whole archives and payloads are a few KB
# (checkpoints ~17 KB in XML), configs ~2 KB, data files are kept small so
# that runs stay fast.
max_len_of() {
  case "$1" in
    archive | payload | checkpoint_payload) echo 65536 ;;
    config) echo 8192 ;;
    idx | csv) echo 4096 ;;
    *) echo 4096 ;;
  esac
}
dict_of() {
  case "$1" in
    archive) echo tests/fuzz/dict/archive.dict ;;
    payload | checkpoint_payload) echo tests/fuzz/dict/payload.dict ;;
    config) echo tests/fuzz/dict/config.dict ;;
    *) echo "" ;;
  esac
}

# --- packages ---------------------------------------------------------------
packages=(clang-14 libclang-rt-14-dev libomp-14-dev cmake make libarmadillo-dev libopenblas-dev
          libboost-program-options-dev libboost-serialization-dev libboost-test-dev zlib1g-dev libpng-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- build ------------------------------------------------------------------
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "fuzz: building the library and the ebm tool in $build (clang-14, ASan+UBSan, -j $jobs)" >&2
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
    -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
  cmake --build "$build" --target ebm -j "$jobs" >/dev/null
  # The tool only makes seed archives; the fuzz targets do not need it.
  if ! cmake --build "$build" --target ebm_tool -j "$jobs" >"$build/ebm_tool-build.log" 2>&1; then
    echo "fuzz: warning: the ebm tool did not build (see $build/ebm_tool-build.log); no generated seeds" >&2
  fi
  echo "fuzz: building the fuzz targets" >&2
  CC=clang-14 CXX=clang++-14 cmake -S "$root/tests/fuzz" -B "$build/fuzz-targets" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DEBM_LIBRARY="$build/libebm.so" -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$build" >/dev/null
  cmake --build "$build/fuzz-targets" -j "$jobs" >/dev/null
fi

# --- generated seeds --------------------------------------------------------
# Small valid archives (models and checkpoints in the three encodings, float
# and double) from a 1-epoch run on tests/data, and their payloads with the
# encoding byte in front.  Committed seeds are in tests/fuzz/corpus/<target>/.
seeds="$build/seeds"
if [[ -x "$build/tools/ebm" ]]; then
  rm -rf "$seeds"
  mkdir -p "$seeds/archive" "$seeds/payload" "$seeds/checkpoint_payload"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp tests/data/bars_and_stripes.ini tests/data/bars_and_stripes_4x4.csv "$work/"
  encodings=(binary text xml)
  for e in 0 1 2; do
    for s in float double; do
      enc="${encodings[$e]}"
      if ! (cd "$work" && ASAN_OPTIONS=detect_leaks=0 "$build/tools/ebm" train bars_and_stripes.ini --quiet \
              --set training.epochs=1 --set rbm.hidden=2 --set model.scalar="$s" --set monitor.list=reconstruction \
              --set training.estimator=pcd --set pcd.chains=2 --set output.format="$enc" \
              --set output.model="model_${s}_$enc.ebm" --set output.checkpoint="checkpoint_${s}_$enc.ebm") >/dev/null 2>&1; then
        echo "fuzz: warning: could not generate seed archives ($s, $enc)" >&2
        continue
      fi
      cp "$work/model_${s}_$enc.ebm" "$work/checkpoint_${s}_$enc.ebm" "$seeds/archive/"
      scalar_bit=0
      if [[ "$s" == double ]]; then scalar_bit=3; fi
      # payload = everything after the header's empty line
      for kind in model checkpoint; do
        file="$work/${kind}_${s}_$enc.ebm"
        offset=$(($(grep -abm1 '^$' "$file" | cut -d: -f1) + 1))
        if [[ "$kind" == model ]]; then
          [[ "$s" == float ]] || continue
          out="$seeds/payload/${kind}_${s}_$enc"
          printf '%b' "\\x0$e" >"$out"
        else
          out="$seeds/checkpoint_payload/${kind}_${s}_$enc"
          printf '%b' "\\x0$((e + scalar_bit))" >"$out"
        fi
        tail -c +$((offset + 1)) "$file" >>"$out"
      done
    done
  done
fi

# --- run --------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1"
mkdir -p "$build/logs"
status=0
summary=()
for t in "${targets[@]}"; do
  exe="$build/fuzz_$t"
  if [[ ! -x "$exe" ]]; then
    echo "fuzz: $exe is missing (build failed?)" >&2
    exit 1
  fi
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  if [[ -d "tests/fuzz/corpus/$t" ]]; then dirs+=("tests/fuzz/corpus/$t"); fi
  if [[ -d "$seeds/$t" ]]; then dirs+=("$seeds/$t"); fi
  flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$(max_len_of "$t")" -timeout="$timeout"
         -artifact_prefix="$artifacts/" -print_final_stats=1)
  dict="$(dict_of "$t")"
  if [[ -n "$dict" ]]; then flags+=(-dict="$dict"); fi
  if [[ "${FUZZ_FORK:-0}" == 1 ]]; then flags+=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1); fi
  # shellcheck disable=SC2206
  if [[ -n "${FUZZ_ARGS:-}" ]]; then flags+=($FUZZ_ARGS); fi

  before="$(find "$artifacts" -type f | wc -l)"
  echo "fuzz: $t for ${seconds}s: $exe ${flags[*]} ${dirs[*]}" >&2
  start=$(date +%s)
  rc=0
  "$exe" "${flags[@]}" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  elapsed=$(($(date +%s) - start))
  after="$(find "$artifacts" -type f | wc -l)"
  new=$((after - before))

  # Executions: the final stats (normal mode) or the last status line (fork mode).
  runs="$(grep -a 'stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}' || true)"
  if [[ -z "$runs" ]]; then
    runs="$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
  fi
  cov="$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)"
  if [[ $rc -ne 0 || $new -gt 0 ]]; then
    what="$(grep -aoE '(ERROR: (AddressSanitizer|LeakSanitizer): [a-zA-Z -]+|ERROR: libFuzzer: [a-zA-Z-]+( \((malloc\([0-9]+\)|used: [0-9]+Mb[^)]*)\))?|runtime error: .*|terminate called .*)' "$log" |
      sort | uniq -c | sort -rn | head -3 | sed 's/^ *//' | paste -sd ';' - || true)"
    result="FOUND ${new} new artifact(s) in ${artifacts#"$root"/}/ (exit $rc): ${what:-see $log}"
    status=1
  else
    result="nothing found"
  fi
  line="fuzz $t: ${elapsed}s, ${runs:-?} runs, cov ${cov:-?}, $result"
  summary+=("$line")
  echo "$line"
done

echo
echo "fuzz summary ($(date -u '+%Y-%m-%d %H:%M UTC'), ${seconds}s per target, logs in ${build#"$root"/}/logs/):"
printf '  %s\n' "${summary[@]}"
exit $status
