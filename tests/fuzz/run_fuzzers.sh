#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzzer.cc) with clang in
# build-fuzz/ and runs each for a bounded time over a copy of its committed
# seed corpus (tests/fuzz/corpus/<target>/). Fails on any crash, sanitizer
# report (ASan, UBSan), timeout or out-of-memory; the input that caused it is
# kept in build-fuzz/fuzz-run/<target>/.
#   tests/fuzz/run_fuzzers.sh [seconds_per_target]   (default 20)
# Environment: SEEDGATE_FUZZ_JOBS (build parallelism, default 2),
# SEEDGATE_FUZZERS (space-separated subset of targets to run).
# A crash reproduces with: build-fuzz/fuzz/<target> <crash-file>
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-20}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [seconds_per_target]" >&2; exit 2; }
build_dir=build-fuzz
all_targets=(sse_parser_fuzzer response_json_fuzzer upstream_error_fuzzer request_validation_fuzzer
             schema_validation_fuzzer)
read -r -a targets <<<"${SEEDGATE_FUZZERS:-${all_targets[*]}}"

for tool in clang clang++; do
  command -v "$tool" >/dev/null ||
    { echo "fuzz: $tool not found (scripts/install-deps.sh --test installs it)" >&2; exit 1; }
done
if ! clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
  echo "fuzz: the libFuzzer runtime is missing: apt-get install libclang-rt-14-dev" >&2
  exit 1
fi

# Everything the fuzzers link (the server libraries, the generated protos) is
# compiled with the sanitizers and libFuzzer's coverage instrumentation; only
# the fuzzer executables link the libFuzzer main (-fsanitize=fuzzer). The
# system protobuf/gRPC/absl are g++-built against the same libstdc++ and the
# same absl headers, so linking them is fine. Assertions stay on (no NDEBUG).
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
echo "== fuzz: configure $build_dir (clang)"
mkdir -p "$build_dir"
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -Wno-dev \
  -DSEEDGATE_FUZZ=ON -DSEEDGATE_BUILD_TESTS=OFF -DSEEDGATE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_CXX_FLAGS="$sanitize -fno-omit-frame-pointer" >"$build_dir/configure.log" 2>&1 ||
  { cat "$build_dir/configure.log" >&2; exit 1; }

echo "== fuzz: build ${targets[*]}"
cmake --build "$build_dir" -j "${SEEDGATE_FUZZ_JOBS:-2}" --target "${targets[@]}"

# The schema checks bound valijson's recursion for release builds' frames
# (server/translate/schema_references.h); ASan's are several times larger, so
# the targets get the stack a release build would need for the same inputs.
ulimit -s 262144 2>/dev/null || ulimit -s "$(ulimit -H -s)" 2>/dev/null || true

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0
failed=0
failures=()
for target in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$target
  run_dir=$build_dir/fuzz-run/$target
  rm -rf "$run_dir"
  mkdir -p "$run_dir/corpus"
  # A copy: new inputs the run finds must not land in the committed corpus.
  [[ -d "$seeds" ]] && cp -r "$seeds/." "$run_dir/corpus/"
  dict=()
  [[ -f tests/fuzz/dicts/$target.dict ]] && dict=(-dict="tests/fuzz/dicts/$target.dict")
  echo "== fuzz: $target for ${seconds}s ($(find "$run_dir/corpus" -type f | wc -l) seeds)"
  if "$build_dir/fuzz/$target" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run_dir/" \
    "$run_dir/corpus" >"$run_dir/log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$run_dir/log" | sed 's/^/   /' || true
  else
    failed=$((failed + 1))
    failures+=("$target")
    tail -n 60 "$run_dir/log" >&2
    for artifact in "$run_dir"/crash-* "$run_dir"/leak-* "$run_dir"/timeout-* "$run_dir"/oom-*; do
      [[ -e "$artifact" ]] && echo "fuzz: $target failed on $artifact (reproduce: $build_dir/fuzz/$target $artifact)" >&2
    done
  fi
done

((failed == 0)) || echo "fuzz: failed: ${failures[*]} (logs in $build_dir/fuzz-run/)" >&2
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
