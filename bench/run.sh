#!/usr/bin/env bash
# bench/run.sh: on this machine, in one run, the same work three ways against
# the same upstream emulator:
#   (a) direct   seedgate-bench --protocol http -> emulator            (the floor)
#   (b) seedgate seedgate-bench --protocol grpc -> seedgate -> emulator
#   (c) nginx    seedgate-bench --protocol http -> nginx (plain HTTP reverse
#                proxy, buffering off, upstream keep-alive) -> emulator
# Unary: open loop at each offered rate (--rates) and closed-loop saturation.
# Streaming: --stream_n concurrent streams at 20 chunks/s (all three paths;
# each chunk's delay from the emulator's write to the client, by its stamp)
# and the fan-out run: --fanout streams opened at once, 1 chunk/s each,
# through seedgate, sampling its threads and memory.
# Upstream HTTP/2 (h2): the same fan-out through a second seedgate whose
# upstream is nginx as a TLS HTTP/2 front (http2_max_concurrent_streams
# --h2_streams) before the emulator, counting seedgate's upstream connections.
# Prints the tables (also in OUT/summary.md), writes OUT/unary_latency.png
# (gnuplot) and every raw report (OUT/*.json). Results go to bench/RESULTS.md
# by hand, with the command and `uptime`.
#
# Usage: bench/run.sh [--build DIR] [--out DIR] [--quick] [--rates "500 1000 ..."]
#                     [--duration S] [--stream_n N] [--fanout N] [--fanout_tokens N]
#                     [--h2_streams N] [--h2_rate R] [--stream_phased]
#                     [--skip unary,stream,fanout,h2]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=
RATES="500 1000 2000 3000 4000"
DURATION=10
WARMUP=2
STREAM_N=1000
STREAM_TOKENS=100   # 5 s per stream at 20 chunks/s
FANOUT=10000
FANOUT_TOKENS=30    # 30 s per stream at 1 chunk/s
SAT_CONCURRENCY=32
H2_STREAMS=1000     # the h2 front's SETTINGS_MAX_CONCURRENT_STREAMS
H2_RATE=0           # h2 run: streams started per second; 0: all at once
STREAM_PHASED=0     # 1: streams start at an even rate instead of all at once
SKIP=
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$(cd "$2" && pwd); shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --stream_n) STREAM_N=$2; shift 2 ;;
    --fanout) FANOUT=$2; shift 2 ;;
    --fanout_tokens) FANOUT_TOKENS=$2; shift 2 ;;
    --h2_streams) H2_STREAMS=$2; shift 2 ;;
    --h2_rate) H2_RATE=$2; shift 2 ;;
    --stream_phased) STREAM_PHASED=1; shift ;;
    --skip) SKIP=$2; shift 2 ;;
    --quick) RATES="300 1000"; DURATION=2; WARMUP=1; STREAM_N=100; STREAM_TOKENS=20
             FANOUT=500; FANOUT_TOKENS=5; SAT_CONCURRENCY=8; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }
OUT=${OUT:-$BUILD/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BIN=$BUILD/bin
PY=/usr/bin/python3

# ---- checks -----------------------------------------------------------------
for b in seedgate fake-upstream seedgate-bench; do
  [[ -x $BIN/$b ]] || { echo "run.sh: $BIN/$b missing: cmake --build $BUILD" >&2; exit 1; }
done
[[ -x /usr/sbin/nginx ]] || { echo "run.sh: nginx missing: apt-get install nginx" >&2; exit 1; }
[[ -x $PY ]] || { echo "run.sh: $PY missing: apt-get install python3" >&2; exit 1; }
if ! command -v gnuplot >/dev/null; then
  if [[ $EUID -eq 0 ]]; then
    echo "run.sh: installing gnuplot-nox (for the plot)"
    apt-get install -y -qq gnuplot-nox >/dev/null || true
  elif command -v sudo >/dev/null; then
    sudo apt-get install -y -qq gnuplot-nox >/dev/null || true
  fi
fi
command -v gnuplot >/dev/null || echo "run.sh: no gnuplot (apt-get install gnuplot-nox): no plot"
if ! skipped h2 && ! { command -v openssl && command -v ss; } >/dev/null; then
  echo "run.sh: no openssl or ss (apt-get install openssl iproute2): skipping the h2 run"
  SKIP="$SKIP,h2"
fi
# 10k streams: seedgate and the emulator hold one socket per stream each.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "run.sh: open files limit $(ulimit -n), results in $OUT"

# ---- processes ----------------------------------------------------------------
source "$(dirname "$0")/../scripts/lib/processes.sh"
trap stop_processes EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$BIN/fake-upstream" --listen 127.0.0.1:0 --threads 1 >"$OUT/emulator.log" 2>&1 &
EMU_PID=$!; track_pid $EMU_PID
wait_for "$OUT/emulator.log" 'listening on http://'
UPSTREAM=$(grep -Eo 'http://[0-9.:]+' "$OUT/emulator.log" | head -1)

EVOLINK_API_KEY=sk-bench "$BIN/seedgate" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --client_auth=none \
  --upstream_base_urls "$UPSTREAM" --upstream_http_version 1.1 >"$OUT/seedgate.log" 2>&1 &
SG_PID=$!; track_pid $SG_PID
wait_for "$OUT/seedgate.log" 'listening on .*\(port [0-9]+\)'
SG_PORT=$(grep -Eo '\(port [0-9]+\)' "$OUT/seedgate.log" | grep -Eo '[0-9]+')

NGINX_PORT=$(free_port)
mkdir -p "$OUT/nginx"
chmod 777 "$OUT/nginx"
USER_LINE=""
[[ $EUID -eq 0 ]] && USER_LINE="user root;"
# nginx as a plain reverse proxy in front of the emulator, buffering off and
# upstream keep-alive: DIR/nginx.conf for `nginx -p DIR`.
#   write_proxy_conf DIR WORKERS SERVER_HEAD   (SERVER_HEAD: the listen lines)
write_proxy_conf() {
  local dir=$1 workers=$2 server_head=$3
  cat >"$dir/nginx.conf" <<NGINX
$USER_LINE
daemon off;
master_process on;
worker_processes $workers;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 30000; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream emulator {
    server ${UPSTREAM#http://};
    keepalive 1024;
  }
  server {
$server_head
    keepalive_requests 1000000;
    location / {
      proxy_pass http://emulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
NGINX
}
write_proxy_conf "$OUT/nginx" 2 "    listen 127.0.0.1:$NGINX_PORT;"
/usr/sbin/nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" >"$OUT/nginx/stdout.log" 2>&1 &
NGINX_PID=$!; track_pid $NGINX_PID
for _ in $(seq 50); do
  $PY -c "import socket; socket.create_connection(('127.0.0.1', $NGINX_PORT), 0.2)" 2>/dev/null && break
  sleep 0.1
done
echo "run.sh: emulator $UPSTREAM (pid $EMU_PID), seedgate 127.0.0.1:$SG_PORT (pid $SG_PID)," \
  "nginx 127.0.0.1:$NGINX_PORT (pid $NGINX_PID)"

# The HTTP/2 upstream: nginx terminating TLS + h2 in front of the emulator, and
# a second seedgate (default HTTP/2 upstream settings) pointed at it.
if ! skipped h2; then
  H2_PORT=$(free_port)
  mkdir -p "$OUT/h2front"
  chmod 777 "$OUT/h2front"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$OUT/h2front/key.pem" \
    -out "$OUT/h2front/cert.pem" >/dev/null 2>&1
  write_proxy_conf "$OUT/h2front" 1 "    listen 127.0.0.1:$H2_PORT ssl http2;
    ssl_certificate $OUT/h2front/cert.pem;
    ssl_certificate_key $OUT/h2front/key.pem;
    http2_max_concurrent_streams $H2_STREAMS;"
  /usr/sbin/nginx -c "$OUT/h2front/nginx.conf" -p "$OUT/h2front" >"$OUT/h2front/stdout.log" 2>&1 &
  H2_NGINX_PID=$!; track_pid $H2_NGINX_PID
  EVOLINK_API_KEY=sk-bench "$BIN/seedgate" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --client_auth=none \
    --upstream_base_urls "https://127.0.0.1:$H2_PORT" --upstream_ca_file "$OUT/h2front/cert.pem" \
    >"$OUT/seedgate_h2.log" 2>&1 &
  SG2_PID=$!; track_pid $SG2_PID
  wait_for "$OUT/seedgate_h2.log" 'listening on .*\(port [0-9]+\)'
  SG2_PORT=$(grep -Eo '\(port [0-9]+\)' "$OUT/seedgate_h2.log" | grep -Eo '[0-9]+')
  echo "run.sh: h2 front https://127.0.0.1:$H2_PORT (pid $H2_NGINX_PID), seedgate over h2" \
    "127.0.0.1:$SG2_PORT (pid $SG2_PID)"
fi

# CPU ticks (utime+stime) of a process and its children processes (nginx workers).
cpu_ticks() {
  local total=0 pid
  for pid in "$@" $(pgrep -P "$1" 2>/dev/null || true); do
    [[ -r /proc/$pid/stat ]] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
TICK=$(getconf CLK_TCK)

# run NAME [seedgate-bench flags...]: one load run, with the CPU each server
# process spent during it, into OUT/NAME.json and OUT/NAME.cpu.
run() {
  local name=$1; shift
  local sg0 ng0 em0 t0 t1
  sg0=$(cpu_ticks $SG_PID); ng0=$(cpu_ticks $NGINX_PID); em0=$(cpu_ticks $EMU_PID)
  t0=$(date +%s.%N)
  "$BIN/seedgate-bench" --label "$name" --json_out "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>&1 ||
    echo "run.sh: $name: seedgate-bench failed (see $OUT/$name.txt)"
  t1=$(date +%s.%N)
  echo "{\"wall_s\": $(awk "BEGIN{print $t1 - $t0}"), \"tick\": $TICK," \
    "\"seedgate_ticks\": $(($(cpu_ticks $SG_PID) - sg0))," \
    "\"nginx_ticks\": $(($(cpu_ticks $NGINX_PID) - ng0))," \
    "\"emulator_ticks\": $(($(cpu_ticks $EMU_PID) - em0))," \
    "\"seedgate_hwm_kb\": $(awk '/VmHWM/{print $2}' /proc/$SG_PID/status)}" >"$OUT/$name.cpu"
  sed -n '1,13p' "$OUT/$name.txt" | grep -E 'seedgate-bench|throughput|latency|first chunk|gap|delay|errors|whole' | sed 's/^/    /'
}
GRPC=(--protocol grpc --target "127.0.0.1:$SG_PORT" --channels 2)
DIRECT=(--protocol http --target "$UPSTREAM")
NGINX=(--protocol http --target "http://127.0.0.1:$NGINX_PORT")
COMMON=(--warmup_s "$WARMUP" --duration_s "$DURATION" --tokens 12)

# ---- unary -------------------------------------------------------------------
if ! skipped unary; then
  echo "== unary, open loop"
  for rate in $RATES; do
    for path in direct seedgate nginx; do
      case $path in
        direct) args=("${DIRECT[@]}") ;; seedgate) args=("${GRPC[@]}") ;; nginx) args=("${NGINX[@]}") ;;
      esac
      run "unary_${path}_r${rate}" "${args[@]}" --rpc unary --rate "$rate" --max_in_flight 2000 \
        "${COMMON[@]}"
    done
  done
  echo "== unary, closed loop (saturation, concurrency $SAT_CONCURRENCY)"
  for path in direct seedgate nginx; do
    case $path in
      direct) args=("${DIRECT[@]}") ;; seedgate) args=("${GRPC[@]}") ;; nginx) args=("${NGINX[@]}") ;;
    esac
    run "unary_${path}_sat" "${args[@]}" --rpc unary --concurrency "$SAT_CONCURRENCY" "${COMMON[@]}"
  done
fi

# ---- streaming throughput ------------------------------------------------------
if ! skipped stream; then
  echo "== streaming: $STREAM_N concurrent streams, 20 chunks/s each, $STREAM_TOKENS chunks"
  # Closed loop: all streams start together and stay in step, so their chunks
  # come in bursts. --stream_phased: streams start at an even rate (open loop)
  # that keeps about STREAM_N open, so their chunks are spread out in time.
  STREAM_START=(--concurrency "$STREAM_N")
  if [[ $STREAM_PHASED == 1 ]]; then
    STREAM_START=(--rate "$(awk "BEGIN{print $STREAM_N * 20 / $STREAM_TOKENS}")" \
      --max_in_flight $((STREAM_N * 2)))
  fi
  for path in direct seedgate nginx; do
    case $path in
      direct) args=("${DIRECT[@]}") ;; seedgate) args=("${GRPC[@]}") ;; nginx) args=("${NGINX[@]}") ;;
    esac
    run "stream_${path}_n${STREAM_N}" "${args[@]}" --rpc stream "${STREAM_START[@]}" \
      --tokens "$STREAM_TOKENS" --delay_ms 50 --warmup_s 3 --duration_s $((DURATION * 2)) \
      --timeout_s 120
  done
fi

# ---- fan-out -------------------------------------------------------------------
if ! skipped fanout; then
  echo "== fan-out: $FANOUT streams at once through seedgate, 1 chunk/s, $FANOUT_TOKENS chunks"
  sampler() {
    echo "t_s threads rss_kb fds"
    local start=$SECONDS
    while kill -0 "$SG_PID" 2>/dev/null; do
      echo "$((SECONDS - start)) $(awk '/^Threads/{t=$2} /^VmRSS/{r=$2} END{print t, r}' \
        /proc/$SG_PID/status) $(ls /proc/$SG_PID/fd | wc -l)"
      sleep 1
    done
  }
  sampler >"$OUT/fanout_seedgate_proc.txt" &
  SAMPLER=$!
  run "fanout_seedgate_n${FANOUT}" "${GRPC[@]}" --channels 4 --rpc stream --concurrency "$FANOUT" \
    --total "$FANOUT" --tokens "$FANOUT_TOKENS" --delay_ms 1000 --warmup_s 0 \
    --duration_s 600 --timeout_s 300 --drain_s 300
  kill $SAMPLER 2>/dev/null || true
  wait $SAMPLER 2>/dev/null || true
fi

# ---- upstream HTTP/2 -------------------------------------------------------------
if ! skipped h2; then
  echo "== upstream h2: $FANOUT streams through seedgate -> TLS h2 front, 1 chunk/s," \
    "started $([[ $H2_RATE == 0 ]] && echo "at once" || echo "at $H2_RATE/s")"
  H2_START=(--concurrency "$FANOUT")
  [[ $H2_RATE == 0 ]] || H2_START=(--rate "$H2_RATE" --max_in_flight "$FANOUT")
  h2_sampler() {
    echo "t_s upstream_connections threads rss_kb"
    local start=$SECONDS
    while kill -0 "$SG2_PID" 2>/dev/null; do
      echo "$((SECONDS - start)) $(ss -Htn state established "( dport = :$H2_PORT )" | wc -l)" \
        "$(awk '/^Threads/{t=$2} /^VmRSS/{r=$2} END{print t, r}' /proc/$SG2_PID/status)"
      sleep 1
    done
  }
  h2_sampler >"$OUT/h2_seedgate_proc.txt" &
  SAMPLER=$!
  SG_PID_SAVED=$SG_PID; SG_PID=$SG2_PID   # run() reports the CPU of $SG_PID
  run "h2_seedgate_n${FANOUT}" --protocol grpc --target "127.0.0.1:$SG2_PORT" --channels 4 \
    --rpc stream "${H2_START[@]}" --total "$FANOUT" --tokens "$FANOUT_TOKENS" \
    --delay_ms 1000 --warmup_s 0 --duration_s 600 --timeout_s 300 --drain_s 300
  SG_PID=$SG_PID_SAVED
  kill $SAMPLER 2>/dev/null || true
  wait $SAMPLER 2>/dev/null || true
fi

# ---- tables and plot -------------------------------------------------------------
$PY - "$OUT" "$RATES" "$FANOUT" "$STREAM_N" <<'PYEOF' | tee "$OUT/summary.md"
import json, os, sys
out, rates, fanout, stream_n = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
def load(name):
    try:
        r = json.load(open(os.path.join(out, name + ".json")))
        r["cpu"] = json.load(open(os.path.join(out, name + ".cpu")))
        return r
    except (OSError, ValueError):
        return None
def cpu_s(r, who): return r["cpu"][who + "_ticks"] / r["cpu"]["tick"]
def per_k(r, who): return 1000 * cpu_s(r, who) / max(1, r["calls"])
def f(x, d=2): return "-" if x is None else f"{x:.{d}f}"
warn = []
def check_emulator(r, name):
    if r is None: return
    load_ = cpu_s(r, "emulator") / max(1e-9, r["cpu"]["wall_s"])
    if load_ > 0.85:
        warn.append(f"EMULATOR NEAR A CORE in {name}: {100*load_:.0f}% of one core: "
                    "the floor is the emulator, not the network path")
    if not r.get("pass", False):
        warn.append(f"{name}: errors or incomplete answers (see {name}.txt)")
    if r.get("dropped", 0):
        warn.append(f"{name}: {r['dropped']} calls dropped (over --max_in_flight): overloaded")

print("## Unary, open loop (latency in ms; added = path - direct at the same rate)\n")
print("| offered/s | achieved direct / seedgate / nginx | direct p50 / p99 | seedgate p50 / p99 "
      "| nginx p50 / p99 | seedgate added p50 / p99 | nginx added p50 / p99 | added p99 ratio "
      "seedgate/nginx | CPU ms per 1k req seedgate / nginx (ratio) | emulator CPU % |")
print("|" + " --- |" * 10)
plot = []
for rate in rates:
    d, s, n = (load(f"unary_{p}_r{rate}") for p in ("direct", "seedgate", "nginx"))
    for name, r in (("direct", d), ("seedgate", s), ("nginx", n)):
        check_emulator(r, f"unary_{name}_r{rate}")
    if not (d and s and n): continue
    L = lambda r, q: r["latency_us"][q] / 1000
    add = lambda r, q: L(r, q) - L(d, q)
    ratio = add(s, "p99") / add(n, "p99") if add(n, "p99") > 0 else float("nan")
    cs, cn = per_k(s, "seedgate"), per_k(n, "nginx")
    emu = max(100 * cpu_s(r, "emulator") / r["cpu"]["wall_s"] for r in (d, s, n))
    print(f"| {rate} | {d['throughput']:.0f} / {s['throughput']:.0f} / {n['throughput']:.0f} "
          f"| {f(L(d,'p50'))} / {f(L(d,'p99'))} | {f(L(s,'p50'))} / {f(L(s,'p99'))} "
          f"| {f(L(n,'p50'))} / {f(L(n,'p99'))} | {f(add(s,'p50'))} / {f(add(s,'p99'))} "
          f"| {f(add(n,'p50'))} / {f(add(n,'p99'))} | {f(ratio)} "
          f"| {1000*cs:.0f} / {1000*cn:.0f} ({cs/cn if cn else float('nan'):.1f}x) | {emu:.0f} |")
    plot.append((rate, L(d,"p50"), L(d,"p99"), L(s,"p50"), L(s,"p99"), L(n,"p50"), L(n,"p99")))
if plot:
    with open(os.path.join(out, "unary_latency.dat"), "w") as fh:
        fh.write("# offered direct_p50 direct_p99 seedgate_p50 seedgate_p99 nginx_p50 nginx_p99 (ms)\n")
        for row in plot: fh.write(" ".join(str(x) for x in row) + "\n")

print("\n## Unary, closed loop (saturation)\n")
print("| path | throughput/s | p50 ms | p99 ms | p99.9 ms | server CPU ms per 1k req | errors |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for p, who in (("direct", None), ("seedgate", "seedgate"), ("nginx", "nginx")):
    r = load(f"unary_{p}_sat")
    check_emulator(r, f"unary_{p}_sat")
    if not r: continue
    print(f"| {p} | {r['throughput']:.0f} | {r['latency_us']['p50']/1000:.2f} | "
          f"{r['latency_us']['p99']/1000:.2f} | {r['latency_us']['p999']/1000:.2f} | "
          f"{'-' if who is None else f'{1000*per_k(r, who):.0f}'} | {r['errors']} |")

rows = {}
for p in ("direct", "seedgate", "nginx"):
    r = load(f"stream_{p}_n{stream_n}")
    check_emulator(r, f"stream_{p}_n{stream_n}")
    if not r: continue
    if not rows:
        start = ("all started at once (closed loop): chunks come in bursts" if r["mode"] == "closed"
                 else f"started at {r['rate']:g}/s (open loop): chunks spread out in time")
        print(f"\n## Streaming: {stream_n} concurrent streams at 20 chunks/s, {start}\n")
        print("| path | streams ok / whole | chunks | lost / reordered | TTFC p50 / p99 ms "
              "| gap p50 / p99 / p99.9 / max ms | chunk delay p50 / p99 / p99.9 / max ms "
              "| server CPU s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows[p] = r
    g, t, dl = r["gap_us"], r["ttfc_us"], r["delay_us"]
    ms4 = lambda h: " / ".join(f"{h[q]/1000:.2f}" for q in ("p50", "p99", "p999", "max"))
    print(f"| {p} | {r['ok']} / {r['answers_whole']} | {r['chunks']} | {r['tokens_lost']} / "
          f"{r['tokens_out_of_order']} | {t['p50']/1000:.2f} / {t['p99']/1000:.2f} | "
          f"{ms4(g)} | {ms4(dl)} | {'-' if p == 'direct' else f'{cpu_s(r, p):.1f}'} |")
if "direct" in rows:
    def added(path, key):
        return {q: (rows[path][key][q] - rows["direct"][key][q]) / 1000
                for q in ("p50", "p99", "p999")}
    for path in ("seedgate", "nginx"):
        if path not in rows: continue
        for key, what in (("delay_us", "delay per chunk (emulator write -> client)"),
                          ("gap_us", "gap between chunks")):
            a = added(path, key)
            print(f"\n{path}: added {what}, minus direct: p50 {a['p50']:.2f} ms, "
                  f"p99 {a['p99']:.2f} ms, p99.9 {a['p999']:.2f} ms")
    if "seedgate" in rows and "nginx" in rows:
        cs, cn = cpu_s(rows["seedgate"], "seedgate"), cpu_s(rows["nginx"], "nginx")
        print(f"\nServer CPU per chunk: seedgate {1e6*cs/max(rows['seedgate']['chunks'],1):.1f} us, "
              f"nginx {1e6*cn/max(rows['nginx']['chunks'],1):.1f} us")

r = load(f"fanout_seedgate_n{fanout}")
if r:
    print(f"\n## Fan-out: {fanout} streams opened at once, 1 chunk/s\n")
    samples = []
    try:
        for line in open(os.path.join(out, "fanout_seedgate_proc.txt")).read().splitlines()[1:]:
            parts = line.split()
            if len(parts) == 4: samples.append(tuple(int(x) for x in parts))
    except OSError: pass
    threads = sorted({s[1] for s in samples})
    rss = max((s[2] for s in samples), default=0)
    fds = max((s[3] for s in samples), default=0)
    print(f"- streams: {r['calls']} ended, {r['ok']} OK, {r['answers_whole']} whole; errors {r['errors']} "
          f"{r['errors_by_code']}; peak open {r['peak_in_flight']}")
    print(f"- chunks {r['chunks']}, lost {r['tokens_lost']}, reordered {r['tokens_out_of_order']}")
    print(f"- TTFC p50 {r['ttfc_us']['p50']/1000:.1f} / p99 {r['ttfc_us']['p99']/1000:.1f} / "
          f"max {r['ttfc_us']['max']/1000:.1f} ms; gap p50 {r['gap_us']['p50']/1000:.1f} / "
          f"p99 {r['gap_us']['p99']/1000:.1f} / max {r['gap_us']['max']/1000:.1f} ms")
    print(f"- seedgate: threads seen {threads}, peak RSS {rss/1024:.0f} MiB (VmHWM "
          f"{r['cpu']['seedgate_hwm_kb']/1024:.0f} MiB), peak fds {fds}, CPU "
          f"{cpu_s(r, 'seedgate'):.1f} s over {r['cpu']['wall_s']:.0f} s; emulator CPU "
          f"{cpu_s(r, 'emulator'):.1f} s; bench CPU {r['bench_cpu_s']:.1f} s")
    check_emulator(r, f"fanout_seedgate_n{fanout}")

r = load(f"h2_seedgate_n{fanout}")
if r:
    print(f"\n## Upstream HTTP/2: {fanout} streams through a TLS h2 front, 1 chunk/s\n")
    samples = []
    try:
        for line in open(os.path.join(out, "h2_seedgate_proc.txt")).read().splitlines()[1:]:
            parts = line.split()
            if len(parts) == 4: samples.append(tuple(int(x) for x in parts))
    except OSError: pass
    print(f"- streams: {r['calls']} ended, {r['ok']} OK, {r['answers_whole']} whole; errors {r['errors']} "
          f"{r['errors_by_code']}; peak open {r['peak_in_flight']}")
    print(f"- chunks {r['chunks']}, lost {r['tokens_lost']}, reordered {r['tokens_out_of_order']}")
    print(f"- upstream connections (seedgate -> h2 front, established): peak "
          f"{max((s[1] for s in samples), default=0)}; while streams were open: "
          f"{sorted({s[1] for s in samples if s[1] > 0})}")
    print(f"- TTFC p50 {r['ttfc_us']['p50']/1000:.1f} / p99 {r['ttfc_us']['p99']/1000:.1f} / "
          f"max {r['ttfc_us']['max']/1000:.1f} ms; seedgate threads {sorted({s[2] for s in samples})}, "
          f"peak RSS {max((s[3] for s in samples), default=0)/1024:.0f} MiB, CPU "
          f"{cpu_s(r, 'seedgate'):.1f} s over {r['cpu']['wall_s']:.0f} s")
    check_emulator(r, f"h2_seedgate_n{fanout}")

if warn:
    print("\n## Warnings\n")
    for w in warn: print("- " + w)
PYEOF

if command -v gnuplot >/dev/null && [[ -s $OUT/unary_latency.dat ]]; then
  gnuplot <<GP
set terminal pngcairo size 900,560 noenhanced
set output "$OUT/unary_latency.png"
set title "Unary latency vs offered load ($(nproc) cores; emulator, load generator and proxy on one machine)"
set xlabel "offered load (requests/s, open loop)"
set ylabel "latency (ms)"
set logscale y
set key top left
set grid
plot "$OUT/unary_latency.dat" using 1:2 with linespoints lc 1 dt 1 pt 7 title "direct p50", \
     "" using 1:3 with linespoints lc 1 dt 2 pt 6 title "direct p99", \
     "" using 1:4 with linespoints lc 2 dt 1 pt 7 title "seedgate p50", \
     "" using 1:5 with linespoints lc 2 dt 2 pt 6 title "seedgate p99", \
     "" using 1:6 with linespoints lc 4 dt 1 pt 7 title "nginx p50", \
     "" using 1:7 with linespoints lc 4 dt 2 pt 6 title "nginx p99"
GP
  echo "run.sh: plot $OUT/unary_latency.png"
fi
echo "run.sh: machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uptime)"
