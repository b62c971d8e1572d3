#!/usr/bin/env bash
# The key-leak grep: runs the seedgate binary with a known upstream key (from
# --api_key_file) and known client tokens through the paths that write
# output -- start-up, served calls, auth failures (missing, wrong, revoked),
# upstream errors (401, 429, 500), quota refusals, a key and tokens reload,
# --help, bad flags, a key on the command line, the access log with
# --log_content, /metrics -- and greps everything it printed or served for
# the key and the tokens. Each scenario is also checked to have happened, so
# an empty output cannot pass. The upstream is the emulator over HTTPS with a
# throwaway certificate and --upstream_insecure_skip_verify.
#   secret_leak_test.sh SEEDGATE_BIN FAKE_UPSTREAM_BIN BUF_BIN
set -euo pipefail
seedgate=$1 emulator=$2 buf=$3
[[ -x "$buf" ]] || { echo "buf not found at $buf (scripts/install-deps.sh --test installs it)"; exit 1; }
source "$(dirname "$0")/../../scripts/lib/processes.sh"
work=$(mktemp -d)
trap 'stop_processes; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

key=sk-LEAKCHECK-$RANDOM$RANDOM-7d1e0c2b9a
token_a=tok-LEAKCHECK-alpha-$RANDOM$RANDOM-aa
token_b=tok-LEAKCHECK-beta-$RANDOM$RANDOM-bb
token_c=tok-LEAKCHECK-gamma-$RANDOM$RANDOM-cc
out=$work/out  # everything seedgate says or serves lands here
mkdir -p "$out"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=localhost -keyout "$work/up.key" -out "$work/up.pem" >/dev/null 2>&1
FAKE_UPSTREAM_API_KEY=$key "$emulator" --listen 127.0.0.1:0 --tls_cert "$work/up.pem" \
  --tls_key "$work/up.key" >"$work/emulator.out" 2>&1 &
track_pid $!
wait_for "$work/emulator.out" 'listening on https://' 30
upstream=$(grep -Eo 'https://[0-9.:]+' "$work/emulator.out" | head -1)

printf '%s\n' "$key" >"$work/key"
printf 'alpha %s requests_per_minute=4\nbeta %s\ngamma %s\n' "$token_a" "$token_b" "$token_c" \
  >"$work/tokens"
env -u EVOLINK_API_KEY "$seedgate" \
  --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 \
  --upstream_base_urls "$upstream" --upstream_insecure_skip_verify \
  --api_key_file "$work/key" --client_tokens_file "$work/tokens" \
  --access_log "$out/access.log" --log_content >"$out/seedgate.stdout" 2>"$out/seedgate.stderr" &
seedgate_pid=$!
track_pid $seedgate_pid
wait_for "$out/seedgate.stderr" 'listening on .*\(port [0-9]+\)' 30
port=$(grep -Eo '\(port [0-9]+\)' "$out/seedgate.stderr" | grep -Eo '[0-9]+' | head -1)
mport=$(grep -Eo 'metrics port [0-9]+' "$out/seedgate.stderr" | grep -Eo '[0-9]+')

n=0
call() {  # call METHOD TOKEN JSON: one buf curl, output kept
  local method=$1 token=$2 body=$3 header=()
  [[ -n $token ]] && header=(-H "authorization: Bearer $token")
  n=$((n + 1))
  "$buf" curl --protocol grpc --http2-prior-knowledge "${header[@]}" -d "$body" \
    "http://127.0.0.1:$port/seedgate.v1.ChatService/$method" >"$out/call$n.out" 2>&1 || true
}
msg() { printf '{"messages":[{"role":"ROLE_USER","content_text":"%s"}]}' "$1"; }

call CreateChatCompletion "$token_a" "$(msg 'hello there')"
grep -q FINISH_REASON_STOP "$out/call$n.out" || fail "served call: $(cat "$out/call$n.out")"
call StreamChatCompletion "$token_b" "$(msg 'hi #fake:tokens=3')"
grep -q FINISH_REASON_STOP "$out/call$n.out" || fail "stream: $(cat "$out/call$n.out")"
call CreateChatCompletion "" "$(msg hi)"
grep -qi unauthenticated "$out/call$n.out" || fail "missing token: $(cat "$out/call$n.out")"
call CreateChatCompletion "${token_a}x" "$(msg hi)"
grep -qi unauthenticated "$out/call$n.out" || fail "wrong token: $(cat "$out/call$n.out")"
for status in 401 429 500; do
  call CreateChatCompletion "$token_b" "$(msg "hi #fake:error=$status")"
  grep -qi '"code"\|error' "$out/call$n.out" || fail "upstream $status: $(cat "$out/call$n.out")"
done
call ListModels "$token_a" '{}'
# Past alpha's 4 a minute (more tries than that: on a loaded machine the allowance refills
# between these slow buf curl runs).
for _ in $(seq 12); do
  call CreateChatCompletion "$token_a" "$(msg hi)"
  grep -qi resource_exhausted "$out/call$n.out" && break
done
grep -qi resource_exhausted "$out/call$n.out" || fail "quota: $(cat "$out/call$n.out")"

# Revoke beta, rotate the key to one the upstream refuses: both reloads log.
printf 'alpha %s\ngamma %s\n' "$token_a" "$token_c" >"$work/tokens.new" && mv "$work/tokens.new" "$work/tokens"
printf '%s-rotated\n' "$key" >"$work/key.new" && mv "$work/key.new" "$work/key"
wait_for "$out/seedgate.stderr" 'reloaded .*tokens' 30
wait_for "$out/seedgate.stderr" 'reloaded the upstream key' 30
call CreateChatCompletion "$token_b" "$(msg hi)"
grep -qi unauthenticated "$out/call$n.out" || fail "revoked token: $(cat "$out/call$n.out")"
call StreamChatCompletion "$token_c" "$(msg 'hi after rotation')"
grep -qi internal "$out/call$n.out" || fail "refused rotated key: $(cat "$out/call$n.out")"

curl -sf "http://127.0.0.1:$mport/metrics" >"$out/metrics.txt" || fail "no /metrics"
grep -q 'seedgate_client_rpcs_total{client="alpha"' "$out/metrics.txt" || fail "no client series"

# Things that print without serving, with the key and tokens around.
EVOLINK_API_KEY=$key "$seedgate" --help >"$out/help.txt" 2>&1 || true
grep -q -- --client_auth "$out/help.txt" || fail "--help"
EVOLINK_API_KEY=$key "$seedgate" --listen=bad --client_tokens_file "$work/tokens" \
  >"$out/badflag.txt" 2>&1 && fail "bad flag started"
"$seedgate" --api_key="$key" >"$out/cmdline-key.txt" 2>&1 && fail "--api_key started"
"$seedgate" "--api_key" "$key" >>"$out/cmdline-key.txt" 2>&1 && fail "--api_key started"
grep -q 'never taken from the command line' "$out/cmdline-key.txt" || fail "--api_key message"

kill "$seedgate_pid"; wait "$seedgate_pid" || true
lines=$(wc -l <"$out/access.log")
[[ $lines -ge 14 ]] || fail "access log has $lines lines: $(cat "$out/access.log")"
grep -q '"client":"alpha"' "$out/access.log" || fail "access log names no client"
grep -q '"request":' "$out/access.log" || fail "--log_content wrote no content"

leaks=0
for secret in "$key" "$token_a" "$token_b" "$token_c"; do
  if grep -rlF -- "$secret" "$out"; then
    echo "LEAK: a secret (${secret:0:12}...) appears in the files above"
    leaks=1
  fi
done
[[ $leaks -eq 0 ]] || fail "secrets leaked"
echo "secret_leak_test: $n calls, $(ls "$out" | wc -l) output files, no key or token in any"
