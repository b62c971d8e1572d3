#!/usr/bin/env bash
# bench/grpc_api_probe.sh: what gRPC's server alone costs on this machine,
# apart from seedgate (grpc-api-probe: no upstream, no translation).
# Unary: the probe in four ways (callback or completion-queue API; the answer
# handed to another thread, as seedgate does, or given inline), each driven by
# seedgate-bench at RATE calls/s, and the direct HTTP call to the emulator as
# the floor: CPU and voluntary context switches per call (from /proc), and
# latency. Streaming: STREAM_N streams of 100 chunks at 20 chunks/s (callback
# API, written from another thread), all started at once and then started at
# an even rate: CPU per chunk, and each chunk's delay from its write to the
# client (bench/run.sh runs the same streams through seedgate and nginx).
# Usage: bench/grpc_api_probe.sh BIN_DIR [RATE=2000] [DURATION=8] [ROUNDS=1]
#                                [STREAM_N=1000]
set -euo pipefail
BIN=$1
RATE=${2:-2000}; DURATION=${3:-8}; ROUNDS=${4:-1}; STREAM_N=${5:-1000}
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

start_probe() {  # probe args...; sets pid and port
  "$BIN/grpc-api-probe" "$@" >"$OUT/probe.log" 2>&1 &
  pid=$!
  track_pid $pid
  wait_for "$OUT/probe.log" 'listening on port [0-9]+'
  port=$(grep -Eo 'port [0-9]+' "$OUT/probe.log" | grep -Eo '[0-9]+')
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
      start_probe --api "$api" "${extra[@]}"
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

echo "streams: $STREAM_N at 20 chunks/s, 100 chunks each; $(uptime)"
for start in "--concurrency $STREAM_N" "--rate $((STREAM_N / 5)) --max_in_flight $((STREAM_N * 2))"; do
  start_probe --api callback --stream_method
  read -r t0 s0 < <(cpu_and_switches $pid)
  # shellcheck disable=SC2086
  "$BIN/seedgate-bench" --protocol grpc --target "127.0.0.1:$port" --channels 2 --rpc stream \
    $start --tokens 100 --delay_ms 50 --warmup_s 3 --duration_s $((DURATION * 2)) --check \
    --json_out "$OUT/stream.json" >"$OUT/stream.txt" 2>&1 ||
    { echo "grpc_api_probe.sh: streams failed" >&2; cat "$OUT/stream.txt" >&2; exit 1; }
  read -r t1 s1 < <(cpu_and_switches $pid)
  /usr/bin/python3 - "$OUT/stream.json" "$TICK" $((t1 - t0)) $((s1 - s0)) "$start" <<'PY'
import json, sys
path, tick, ticks, switches, start = sys.argv[1:]
r = json.load(open(path))
n, d = r["chunks"], r["delay_us"]
print(f"  {start:<38} CPU {1e6 * int(ticks) / int(tick) / n:.1f} us per chunk, "
      f"{int(switches) / n:.2f} voluntary switches per chunk; chunk delay p50 {d['p50'] / 1e3:.2f} / "
      f"p99 {d['p99'] / 1e3:.2f} / p99.9 {d['p999'] / 1e3:.2f} ms; {r['answers_whole']} streams whole")
PY
  kill $pid
  wait $pid 2>/dev/null || true
done
