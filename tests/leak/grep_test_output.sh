#!/usr/bin/env bash
# The key-leak grep over a whole test run: every API key and client token the
# test sources use (string literals shaped "sk-..." and "tok-...") must appear
# nowhere in what the run printed -- the test programs' own output, which
# includes the logs and errors of the in-process servers and of every binary
# the tests start. Run by scripts/test.sh after ctest.
#   tests/leak/grep_test_output.sh [ctest_log]   (default build/Testing/Temporary/LastTest.log)
set -euo pipefail
cd "$(dirname "$0")/../.."
log="${1:-build/Testing/Temporary/LastTest.log}"
[[ -s "$log" ]] || { echo "leak grep: no test output at $log (run ctest first)" >&2; exit 1; }

mapfile -t secrets < <(git ls-files tests | grep -E '\.(cc|h|sh|py|js|go)$' |
  xargs grep -hoE '"(sk|tok)-[A-Za-z0-9_-]{8,}"' | tr -d '"' | sort -u)
(( ${#secrets[@]} >= 10 )) || { echo "leak grep: found only ${#secrets[@]} test secrets" >&2; exit 1; }

leaks=0
for secret in "${secrets[@]}"; do
  if grep -qF -- "$secret" "$log"; then
    echo "leak grep: a test secret (${secret:0:6}...) appears in the test output:" >&2
    grep -nF -- "$secret" "$log" | head -3 | cut -c1-200 | sed "s/$secret/<SECRET>/g" >&2
    leaks=$((leaks + 1))
  fi
done
lines=$(wc -l <"$log")
if (( leaks > 0 )); then
  echo "leak grep: $leaks of ${#secrets[@]} test secrets found in $lines lines of test output" >&2
  exit 1
fi
echo "leak grep: none of ${#secrets[@]} test secrets in $lines lines of test output"
