#!/usr/bin/env bash
# Runs one client example of client/examples/ with --check against the real
# seedgate binary in its no-key demo mode (it starts the bundled emulator),
# secured with a client token over TLS (and once without the token, which
# must fail UNAUTHENTICATED):
# generates the stubs into WORK_DIR, runs the example, stops seedgate.
# A missing toolchain is a failure, not a skip: scripts/install-deps.sh --test
# installs every one.
#   run_example.sh python|go|node SEEDGATE_BIN WORK_DIR
set -euo pipefail
lang=$1
seedgate=$2
work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
examples=$root/client/examples
fail() { echo "FAIL: $*"; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 not found (scripts/install-deps.sh --test installs it)"; }
mkdir -p "$work"

# Toolchain and stubs first: a broken toolchain fails before seedgate starts.
case $lang in
  python)
    need protoc; need grpc_python_plugin
    /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
      fail "Debian's python3-grpcio / python3-protobuf missing (scripts/install-deps.sh --test)"
    rm -rf "$work/gen"
    "$examples/python/generate.sh" "$work/gen"
    run() { PYTHONPATH="$work/gen" /usr/bin/python3 "$examples/python/chat.py" "$@"; }
    ;;
  go)
    need protoc; need go; need protoc-gen-go; need protoc-gen-go-grpc
    [[ -d /usr/share/gocode/src/google.golang.org/grpc ]] ||
      fail "Debian's golang-google-grpc-dev missing (scripts/install-deps.sh --test)"
    rm -rf "$work/gen"
    "$examples/go/generate.sh" "$work/gen"
    # Offline, against Debian's Go packages: GOPATH mode, no module proxy.
    export GO111MODULE=off GOPATH="$work/gen:/usr/share/gocode" GOCACHE="$work/gocache" \
           GOFLAGS= GOPROXY=off GOSUMDB=off
    go build -o "$work/chat" "$examples/go/main.go"
    run() { "$work/chat" "$@"; }
    ;;
  node)
    need node
    export NODE_PATH=$root/.cache/node/node_modules
    [[ -f $NODE_PATH/@grpc/grpc-js/package.json && -f $NODE_PATH/@grpc/proto-loader/package.json ]] ||
      fail "@grpc/grpc-js / @grpc/proto-loader not under $NODE_PATH (scripts/install-deps.sh --test)"
    run() { node "$examples/node/chat.js" "$@"; }
    ;;
  *) fail "unknown language $lang" ;;
esac

# A secured seedgate, as in production: a client token over TLS (a throwaway
# certificate for localhost).
token=tok-polyglot-$RANDOM$RANDOM-7c1d2e3f
printf 'polyglot %s\n' "$token" >"$work/tokens"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null ||
  fail "openssl could not make a test certificate"
source "$root/tests/support/start_seedgate.sh"
start_seedgate "$seedgate" --client_tokens_file "$work/tokens" \
  --tls_cert "$work/tls.crt" --tls_key "$work/tls.key"
export SEEDGATE_TARGET=localhost:$port SEEDGATE_TLS_CA=$work/tls.crt

SEEDGATE_TOKEN=$token run --check || fail "$lang example: a check failed (output above)"
# Without the token seedgate refuses the first call.
if out=$(run --check 2>&1); then
  fail "$lang example: succeeded without a token"
fi
grep -qi unauthenticated <<<"$out" || fail "$lang example: no UNAUTHENTICATED without a token: $out"
echo "polyglot $lang: 2 passed, 0 failed"
