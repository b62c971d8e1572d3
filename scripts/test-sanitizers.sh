#!/usr/bin/env bash
# Runs the tests again under the sanitizers (called by scripts/test.sh):
#   build-asan/  AddressSanitizer (with LeakSanitizer) + UndefinedBehaviorSanitizer:
#                every unit and end-to-end test
#   build-tsan/  ThreadSanitizer: the tests labelled `concurrency`
#                (tests/CMakeLists.txt says what earns the label)
# Both are clang builds of the whole tree (-O1, assertions on, no benchmarks,
# no fuzzers); any sanitizer report fails the test that caused it. Runtime
# options and suppressions: tests/sanitizers/.
#   scripts/test-sanitizers.sh [asan|tsan]...   (default: both)
# Environment: SEEDGATE_JOBS (build parallelism), SEEDGATE_TEST_JOBS (ctest -j).
# To rerun one test by hand, export what `scripts/test-sanitizers.sh --env asan`
# (or tsan) prints, then run the binary from build-asan/tests/ (build-tsan/tests/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
supp=$root/tests/sanitizers

sanitizer_env() {
  case "$1" in
    asan)
      # detect_leaks: LeakSanitizer runs at exit. strict_init_order catches
      # static initialisers that read other translation units' statics.
      echo "ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:abort_on_error=0"
      echo "LSAN_OPTIONS=suppressions=$supp/lsan.supp:print_suppressions=0"
      echo "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp:print_suppressions=0"
      ;;
    tsan)
      # second_deadlock_stack: both stacks of a lock-order inversion.
      echo "TSAN_OPTIONS=suppressions=$supp/tsan.supp:print_suppressions=0:second_deadlock_stack=1:halt_on_error=0"
      ;;
  esac
}

if [[ "${1:-}" == "--env" ]]; then
  sanitizer_env "${2:?asan or tsan}"
  exit 0
fi

for tool in clang clang++; do
  command -v "$tool" >/dev/null ||
    { echo "sanitizers: $tool not found (scripts/install-deps.sh --test installs it)" >&2; exit 1; }
done

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

configure() {  # dir sanitizers
  mkdir -p "$1"
  CC=clang CXX=clang++ cmake -S . -B "$1" -G Ninja -Wno-dev \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DSEEDGATE_SANITIZE="$2" -DSEEDGATE_BUILD_TESTS=ON -DSEEDGATE_BUILD_BENCHMARKS=OFF \
    "${launcher[@]}" >"$1/configure.log" 2>&1 || { cat "$1/configure.log" >&2; exit 1; }
}

run_ctest() {  # dir sanitizer ctest-args...
  local dir=$1 name=$2
  shift 2
  local vars=()
  mapfile -t vars < <(sanitizer_env "$name")
  (cd "$dir" && env "${vars[@]}" ctest --output-on-failure -j "${SEEDGATE_TEST_JOBS:-2}" \
    --timeout 300 "$@")
}

jobs=${SEEDGATE_JOBS:-$(nproc)}
# The one test that bounds a latency (the neighbours of a paused 20 MB stream
# answered within 2.5 s): under a sanitizer's slowdown it measures the
# sanitizer, not seedgate. The normal ctest pass runs it.
latency_bound='^Http2Test\.PausedStreamDoesNotHoldUpItsConnection$'
failed=()
read -r -a stages <<<"${*:-asan tsan}"
for stage in "${stages[@]}"; do
  start=$SECONDS
  case "$stage" in
    asan)
      echo "== sanitizers: AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
      configure build-asan address,undefined
      cmake --build build-asan -j "$jobs"
      # Left out: the polyglot tests, which check the Python, Go and Node
      # example clients against the seedgate binary (what they exercise of
      # our code the C++ end-to-end tests cover, in-process, instrumented),
      # the deploy tests, which check the release image and chart (the
      # uninstrumented build/bin/ binaries and their libraries), and the
      # latency bound (latency_bound, above).
      run_ctest build-asan asan -LE "polyglot|deploy" -E "$latency_bound" || failed+=(asan)
      ;;
    tsan)
      echo "== sanitizers: ThreadSanitizer, tests labelled concurrency (build-tsan/)"
      configure build-tsan thread
      cmake --build build-tsan -j "$jobs" --target concurrency_tests
      run_ctest build-tsan tsan -L concurrency -E "$latency_bound" || failed+=(tsan)
      ;;
    *) echo "usage: $0 [asan|tsan]..." >&2; exit 2 ;;
  esac
  echo "== sanitizers: $stage took $((SECONDS - start)) s"
done
if ((${#failed[@]})); then
  echo "sanitizers: failed: ${failed[*]}" >&2
  exit 1
fi
