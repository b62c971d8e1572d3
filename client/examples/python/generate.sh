#!/usr/bin/env bash
# Generates the Python stubs for seedgate (and the google.rpc error-detail
# messages) with protoc and grpc_python_plugin (Debian: protobuf-compiler-grpc).
#   generate.sh [OUT_DIR]     default: build/gen/python (never committed)
# Then: PYTHONPATH=OUT_DIR /usr/bin/python3 chat.py
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/build/gen/python}
googleapis=${GOOGLEAPIS_PROTO_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
mkdir -p "$out"
protoc --proto_path="$root/proto" --proto_path="$googleapis" \
  --python_out="$out" --grpc_out="$out" --plugin=protoc-gen-grpc="$(command -v grpc_python_plugin)" \
  "$root/proto/seedgate/v1/chat.proto"
protoc --proto_path="$googleapis" --python_out="$out" \
  "$googleapis/google/rpc/status.proto" "$googleapis/google/rpc/error_details.proto"
