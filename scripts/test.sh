#!/usr/bin/env bash
# The second README command: install what is missing, build everything, run
# every test (ctest), lint the proto (buf, STANDARD rules), check it against
# the previous commit for changes that break existing clients (buf breaking),
# check formatting, run the tests again under AddressSanitizer + UBSan and the
# concurrency tests under ThreadSanitizer (scripts/test-sanitizers.sh), and
# run each libFuzzer target for 20 s (tests/fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh -DSEEDGATE_BUILD_TESTS=ON

echo "== buf lint (proto/)"
.cache/node/node_modules/.bin/buf lint

echo "== buf breaking (proto/)"
scripts/check-proto-breaking.sh

echo "== clang-format"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

echo "== ctest"
(cd build && ctest --output-on-failure -j "${SEEDGATE_TEST_JOBS:-2}" --timeout 300)

echo "== sanitizers (ASan + UBSan: build-asan/, TSan: build-tsan/)"
scripts/test-sanitizers.sh

echo "== fuzz (libFuzzer, clang, build-fuzz/)"
tests/fuzz/run_fuzzers.sh 20
