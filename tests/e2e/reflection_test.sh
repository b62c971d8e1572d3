#!/usr/bin/env bash
# A client that knows nothing of seedgate but gRPC and server reflection
# (buf curl) lists its services and calls it, unary and streaming, against the
# seedgate binary in its no-key demo mode.
#   reflection_test.sh SEEDGATE_BIN BUF_BIN
set -euo pipefail
seedgate=$1
buf=$2
[[ -x "$buf" ]] || { echo "buf not found at $buf (scripts/install-deps.sh --test installs it)"; exit 1; }

source "$(dirname "$0")/../support/start_seedgate.sh"
start_seedgate "$seedgate"
url=http://127.0.0.1:$port
curl_grpc() { "$buf" curl --protocol grpc --http2-prior-knowledge "$@"; }

fail() { echo "FAIL: $*"; exit 1; }

methods=$(curl_grpc --list-methods "$url")
for m in seedgate.v1.ChatService/CreateChatCompletion seedgate.v1.ChatService/StreamChatCompletion \
         seedgate.v1.ChatService/ListModels grpc.health.v1.Health/Check; do
  grep -qx "$m" <<<"$methods" || fail "reflection does not list $m: $methods"
done

health=$(curl_grpc "$url/grpc.health.v1.Health/Check")
grep -q '"SERVING"' <<<"$health" || fail "health: $health"

unary=$(curl_grpc -d '{"model":"doubao-seed-2.0-lite","messages":[{"role":"ROLE_USER","content_text":"hello"}]}' \
  "$url/seedgate.v1.ChatService/CreateChatCompletion")
grep -q '"finishReason": "FINISH_REASON_STOP"' <<<"$unary" || fail "unary: $unary"
grep -q '"model": "doubao-seed-2-0-lite' <<<"$unary" || fail "unary model: $unary"

stream=$(curl_grpc -d '{"messages":[{"role":"ROLE_USER","content_text":"hi #fake:tokens=5"}]}' \
  "$url/seedgate.v1.ChatService/StreamChatCompletion")
tokens=$(grep -c '"content": "[^"]' <<<"$stream" || true)
[[ "$tokens" -eq 5 ]] || fail "expected 5 content chunks, got $tokens: $stream"
grep -q '"finishReason": "FINISH_REASON_STOP"' <<<"$stream" || fail "no finish_reason: $stream"

set +e
bad=$(curl_grpc -d '{"messages":[],"temperature":9}' "$url/seedgate.v1.ChatService/CreateChatCompletion" 2>&1)
set -e
grep -q 'invalid_argument' <<<"$bad" || fail "bad request: $bad"

echo "reflection_test: 1 passed, 0 failed"
