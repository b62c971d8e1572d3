#!/usr/bin/env bash
# bench/unary_cost.sh: what one unary call costs seedgate, in CPU and in
# context switches, next to the latency it adds over a direct call. Quicker
# and steadier than bench/run.sh for before/after comparisons of the unary
# path: CPU and switches per call come from /proc and barely depend on the
# machine's load; latencies do, so `uptime` is printed with them.
# Starts the emulator (--threads 1) and seedgate (HTTP/1.1 upstream), then
# per round: direct HTTP at RATE/s, then gRPC through seedgate at RATE/s,
# each for 1 s of warm-up and DURATION s measured (every answer checked).
# Usage: bench/unary_cost.sh BIN_DIR [RATE=2000] [DURATION=10] [ROUNDS=1]
#                            [-- extra seedgate flags...]
set -euo pipefail
BIN=$1; shift
RATE=${1:-2000}; DURATION=${2:-10}; ROUNDS=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == -- ]] && shift
source "$(dirname "$0")/../scripts/lib/processes.sh"
OUT=$(mktemp -d)
trap 'stop_processes; rm -rf "$OUT"' EXIT
"$BIN/fake-upstream" --listen 127.0.0.1:0 --threads 1 >"$OUT/emu.log" 2>&1 &
track_pid $!
wait_for "$OUT/emu.log" 'listening on http://'
UP=$(grep -Eo 'http://[0-9.:]+' "$OUT/emu.log" | head -1)
EVOLINK_API_KEY=sk-bench "$BIN/seedgate" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 \
  --client_auth=none --upstream_base_urls "$UP" --upstream_http_version 1.1 "$@" \
  >"$OUT/sg.log" 2>&1 &
SG=$!; track_pid $SG
wait_for "$OUT/sg.log" 'listening on .*\(port [0-9]+\)'
PORT=$(grep -Eo '\(port [0-9]+\)' "$OUT/sg.log" | grep -Eo '[0-9]+')
TICK=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SG/stat"; }
by_thread() {  # per thread name: voluntary switches and CPU ticks, summed
  for t in /proc/$SG/task/*; do
    echo "$(tr ' ' '_' <"$t/comm") $(awk '/^voluntary_ctxt/{print $2}' "$t/status") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{v[$1]+=$2; c[$1]+=$3} END{for (k in v) print k, v[k], c[k]}' | sort
}
switches() {  # voluntary, nonvoluntary: summed over seedgate's threads
  cat /proc/$SG/task/*/status | awk '/^voluntary_ctxt/{v+=$2} /^nonvoluntary_ctxt/{n+=$2}
    END{print v, n}'
}
bench() {  # protocol target label
  "$BIN/seedgate-bench" --protocol "$1" --target "$2" --rpc unary --rate "$RATE" \
    --warmup_s 1 --duration_s "$DURATION" --tokens 12 --check --json_out "$OUT/$3.json" \
    >"$OUT/$3.txt" 2>&1 || { echo "unary_cost.sh: $3 run failed" >&2; cat "$OUT/$3.txt" >&2; exit 1; }
}
# Warm seedgate's connections and caches.
"$BIN/seedgate-bench" --protocol grpc --target 127.0.0.1:$PORT --rpc unary --concurrency 4 \
  --total 500 --warmup_s 0 --tokens 12 >/dev/null 2>&1
for round in $(seq "$ROUNDS"); do
  bench http "$UP" direct
  read -r v0 n0 < <(switches); c0=$(cpu_ticks); by_thread >"$OUT/t0"
  bench grpc 127.0.0.1:$PORT seedgate
  read -r v1 n1 < <(switches); c1=$(cpu_ticks); by_thread >"$OUT/t1"
  /usr/bin/python3 - "$OUT" $((c1 - c0)) "$TICK" $((v1 - v0)) $((n1 - n0)) "$(uptime)" <<'PY'
import json, sys
out, ticks, tick, vol, invol, up = sys.argv[1:]
ticks, tick, vol, invol = int(ticks), int(tick), int(vol), int(invol)
d = json.load(open(f"{out}/direct.json"))
s = json.load(open(f"{out}/seedgate.json"))
calls = s["calls"]
dl, sl = d["latency_us"], s["latency_us"]
print(f"{calls} calls at {s['rate']}/s: seedgate CPU {1e6 * ticks / tick / calls:.0f} ms per 1k calls; "
      f"context switches per call {vol / calls:.2f} voluntary, {invol / calls:.2f} involuntary")
print(f"  latency ms p50/p99: direct {dl['p50']/1e3:.3f}/{dl['p99']/1e3:.3f}, "
      f"seedgate {sl['p50']/1e3:.3f}/{sl['p99']/1e3:.3f}, "
      f"added {(sl['p50']-dl['p50'])/1e3:.3f}/{(sl['p99']-dl['p99'])/1e3:.3f}")
print(f"  {up.strip()}")
def threads(path):
    return {l.split()[0]: (int(l.split()[1]), int(l.split()[2])) for l in open(path)}
t0, t1 = threads(f"{out}/t0"), threads(f"{out}/t1")
parts = []
for name in sorted(t1):
    v = t1[name][0] - t0.get(name, (0, 0))[0]
    c = t1[name][1] - t0.get(name, (0, 0))[1]
    if v / calls >= 0.05 or c > 0:
        parts.append(f"{name} {v / calls:.2f}/{1e6 * c / tick / calls:.0f}")
print("  by thread, voluntary switches per call / CPU ms per 1k calls: " + ", ".join(parts))
PY
done
