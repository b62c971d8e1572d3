#!/usr/bin/env bash
# bench/callgrind_unary.sh: instructions per unary call through seedgate,
# counted by callgrind (repeatable on a busy machine, unlike wall time).
# Starts the emulator and seedgate under callgrind (HTTP/1.1 upstream),
# warms up with 300 calls, zeroes the counters, runs 2,000 calls (4 in flight,
# every answer checked), dumps. Ir per call = the dump's "summary" / 2000.
# Usage: bench/callgrind_unary.sh BIN_DIR OUT_DIR [extra seedgate flags...]
#   then: callgrind_annotate --inclusive=yes OUT_DIR/cg.<pid>.1 | less
set -euo pipefail
BIN=$1; OUT=$2; shift 2
mkdir -p "$OUT"
"$BIN/fake-upstream" --listen 127.0.0.1:0 --threads 1 >"$OUT/emu.log" 2>&1 &
EMU=$!
for i in $(seq 100); do grep -q listening "$OUT/emu.log" && break; sleep 0.1; done
UP=$(grep -Eo 'http://[0-9.:]+' "$OUT/emu.log" | head -1)
EVOLINK_API_KEY=sk-bench valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" \
  "$BIN/seedgate" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --upstream_base_urls "$UP" \
  --upstream_http_version 1.1 "$@" >"$OUT/sg.log" 2>&1 &
SG=$!
for i in $(seq 600); do grep -Eq 'listening on .*\(port [0-9]+\)' "$OUT/sg.log" && break; sleep 0.1; done
PORT=$(grep -Eo '\(port [0-9]+\)' "$OUT/sg.log" | grep -Eo '[0-9]+')
"$BIN/seedgate-bench" --protocol grpc --target 127.0.0.1:$PORT --rpc unary --concurrency 4 --total 300 --tokens 12 --warmup_s 0 --duration_s 600 > "$OUT/warm.txt" 2>&1
callgrind_control -z $SG >/dev/null
"$BIN/seedgate-bench" --protocol grpc --target 127.0.0.1:$PORT --rpc unary --concurrency 4 --total 2000 --tokens 12 --warmup_s 0 --duration_s 600 --check > "$OUT/run.txt" 2>&1 || true
callgrind_control -d $SG >/dev/null
kill $SG; wait $SG || true
kill $EMU; wait $EMU || true
grep -E "throughput|errors|whole" "$OUT/run.txt" | head
