#!/usr/bin/env bash
# bench/grpc_api_probe.sh: what gRPC's server APIs cost per unary call on this
# machine, apart from seedgate: grpc-api-probe in four ways (callback or
# completion-queue API; the answer handed to another thread, as seedgate does,
# or given inline), each driven by seedgate-bench at RATE calls/s, and the
# direct HTTP call to the emulator as the floor. Prints CPU and voluntary
# context switches per call (from /proc) and the latency percentiles.
# Usage: bench/grpc_api_probe.sh BIN_DIR [RATE=2000] [DURATION=8] [ROUNDS=1]
set -euo pipefail
BIN=$1
RATE=${2:-2000}; DURATION=${3:-8}; ROUNDS=${4:-1}
source "$(dirname "$0")/../scripts/lib/processes.sh"
OUT=$(mktemp -d)
trap 'stop_processes; rm -rf "$OUT"' EXIT
TICK=$(getconf CLK_TCK)

"$BIN/fake-upstream" --listen 127.0.0.1:0 --threads 1 >"$OUT/emu.log" 2>&1 &
track_pid $!
wait_for "$OUT/emu.log" 'listening on http://'
UP=$(grep -Eo 'http://[0-9.:]+' "$OUT/emu.log" | head -1)

load() {  # protocol target name
  "$BIN/seedgate-bench" --protocol "$1" --target "$2" --rpc unary --rate "$RATE" \
    --warmup_s 1 --duration_s "$DURATION" --tokens 12 --check --json_out "$OUT/$3.json" \
    >"$OUT/$3.txt" 2>&1 || { echo "grpc_api_probe.sh: $3 failed" >&2; cat "$OUT/$3.txt" >&2; exit 1; }
}
cpu_and_switches() {  # pid -> "ticks voluntary_switches"
  echo "$(awk '{print $14 + $15}' "/proc/$1/stat")" \
    "$(cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt/{v += $2} END{print v}')"
}
report() {  # name [ticks switches]
  /usr/bin/python3 - "$OUT/$1.json" "$1" "$TICK" "${2:-}" "${3:-}" <<'PY'
import json, sys
path, name, tick, ticks, switches = sys.argv[1:]
r = json.load(open(path))
n, lat = r["calls"], r["latency_us"]
cost = "" if not ticks else (f"CPU {1e6 * int(ticks) / int(tick) / n:4.0f} ms per 1k calls, "
                             f"{int(switches) / n:.2f} voluntary switches per call, ")
print(f"  {name:<24} {cost}latency p50 {lat['p50'] / 1e3:.3f} / p99 {lat['p99'] / 1e3:.3f} ms")
PY
}

echo "grpc_api_probe.sh: unary calls at $RATE/s for $DURATION s; $(uptime)"
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  load http "$UP" direct
  report direct
  for api in callback cq; do
    for mode in handoff inline; do
      extra=(--stream_method)
      [[ $mode == inline ]] && extra+=(--inline)
      "$BIN/grpc-api-probe" --api "$api" "${extra[@]}" >"$OUT/probe.log" 2>&1 &
      pid=$!
      track_pid $pid
      wait_for "$OUT/probe.log" 'listening on port [0-9]+'
      port=$(grep -Eo 'port [0-9]+' "$OUT/probe.log" | grep -Eo '[0-9]+')
      "$BIN/seedgate-bench" --protocol grpc --target "127.0.0.1:$port" --rpc unary \
        --concurrency 4 --total 500 --warmup_s 0 --tokens 12 >/dev/null 2>&1  # warm up
      read -r t0 s0 < <(cpu_and_switches $pid)
      load grpc "127.0.0.1:$port" "${api}_$mode"
      read -r t1 s1 < <(cpu_and_switches $pid)
      report "${api}_$mode" $((t1 - t0)) $((s1 - s0))
      kill $pid
      wait $pid 2>/dev/null || true
    done
  done
done
