#!/usr/bin/env bash
# bench_smoke_test BENCH SEEDGATE FAKE_UPSTREAM PROBE
# Starts the emulator and a seedgate pointed at it, then runs seedgate-bench
# briefly at low load: gRPC unary (closed loop), gRPC streaming (open loop,
# numbered tokens checked chunk by chunk), each on both client APIs, direct
# HTTP, and grpc-api-probe on both server APIs. Each run must pass --check:
# no errors, every answer whole and in order, and streamed chunks carry the
# emulator's write time (their delay is measured). A run against a port
# nobody listens on must fail --check.
set -euo pipefail
BENCH=$1 SEEDGATE=$2 EMULATOR=$3 PROBE=$4
source "$(dirname "$0")/../../scripts/lib/processes.sh"
work=$(mktemp -d)
trap 'stop_processes; rm -rf "$work"' EXIT

"$EMULATOR" --listen 127.0.0.1:0 >"$work/emulator.out" 2>&1 &
track_pid $!
wait_for "$work/emulator.out" 'listening on http://'
upstream=$(grep -Eo 'http://[0-9.:]+' "$work/emulator.out" | head -1)

EVOLINK_API_KEY=sk-bench-smoke "$SEEDGATE" --listen 127.0.0.1:0 --metrics_listen= --client_auth=none \
  --upstream_base_urls "$upstream" --upstream_http_version 1.1 >"$work/seedgate.out" 2>&1 &
track_pid $!
wait_for "$work/seedgate.out" 'listening on .*\(port [0-9]+\)'
port=$(grep -Eo '\(port [0-9]+\)' "$work/seedgate.out" | grep -Eo '[0-9]+')

run() {
  echo "+ seedgate-bench $*"
  "$BENCH" --check --warmup_s 0.2 "$@"
}
run --protocol grpc --target "127.0.0.1:$port" --rpc unary --concurrency 4 --duration_s 1 \
  --tokens 8
run --protocol grpc --target "127.0.0.1:$port" --rpc stream --rate 40 --duration_s 1 \
  --tokens 10 --delay_ms 5 --channels 2 --json_out "$work/stream.json"
run --protocol grpc --target "127.0.0.1:$port" --rpc unary --rate 50 --duration_s 0.5 \
  --tokens 8 --grpc_api callback
run --protocol grpc --target "127.0.0.1:$port" --rpc stream --concurrency 3 --duration_s 0.5 \
  --tokens 10 --delay_ms 5 --grpc_api callback
run --protocol http --target "$upstream" --rpc unary --concurrency 2 --duration_s 0.5 --tokens 8
run --protocol http --target "$upstream" --rpc stream --concurrency 2 --duration_s 0.5 \
  --tokens 8 --delay_ms 2
# grpc-api-probe (bench/grpc_api_probe.sh) answers what seedgate-bench checks,
# on both server APIs, with and without the hand-off to its worker thread.
for probe_args in "--api callback --stream_method" "--api cq --stream_method --inline"; do
  # shellcheck disable=SC2086
  "$PROBE" $probe_args >"$work/probe.out" 2>&1 &
  probe_pid=$!
  track_pid $probe_pid
  wait_for "$work/probe.out" 'listening on port [0-9]+'
  probe_port=$(grep -Eo 'port [0-9]+' "$work/probe.out" | grep -Eo '[0-9]+')
  run --protocol grpc --target "127.0.0.1:$probe_port" --rpc unary --concurrency 4 \
    --duration_s 0.5 --tokens 9
  run --protocol grpc --target "127.0.0.1:$probe_port" --rpc stream --concurrency 3 \
    --duration_s 0.5 --tokens 6 --delay_ms 5 --json_out "$work/probe_stream.json"
  grep -Eq '"delay_us":\{"count":[1-9]' "$work/probe_stream.json"
  kill $probe_pid
done
# Calls that fail are counted by code, and --check fails (no port 1 here).
for api in cq callback; do
  for rpc in unary stream; do
    if "$BENCH" --check --protocol grpc --target 127.0.0.1:1 --grpc_api "$api" --rpc "$rpc" \
      --concurrency 2 --warmup_s 0 --duration_s 0.3 --timeout_s 2 >"$work/refused.out" 2>&1; then
      echo "bench_smoke_test: --check passed against a closed port ($api $rpc)" >&2
      cat "$work/refused.out" >&2
      exit 1
    fi
    grep -q 'UNAVAILABLE' "$work/refused.out" ||
      { echo "bench_smoke_test: no UNAVAILABLE count ($api $rpc):" >&2; cat "$work/refused.out" >&2; exit 1; }
  done
done
# The JSON report is there and says the streams were whole.
grep -q '"pass":true' "$work/stream.json"
grep -Eq '"answers_whole":[1-9]' "$work/stream.json"
# Every streamed token carried the emulator's write time, so chunk delays were
# measured: one per chunk of a measured stream.
/usr/bin/python3 - "$work/stream.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
d, g = r["delay_us"], r["gap_us"]
assert d["count"] > 0 and d["count"] >= g["count"], f"chunk delays not measured: {d} (gaps {g})"
assert 0 < d["p50"] < 2e6, f"implausible chunk delay: {d}"
PY
echo "bench_smoke_test: OK"
