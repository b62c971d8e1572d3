#!/usr/bin/env bash
# Generates the Go stubs for seedgate with protoc, protoc-gen-go and
# protoc-gen-go-grpc (Debian: protoc-gen-go, protoc-gen-go-grpc), in a GOPATH
# layout: OUT_DIR/src/seedgate/gen/go/seedgate/v1 (the proto's go_package).
# The google.rpc details come ready-made with Debian's golang-google-genproto-dev
# (google.golang.org/genproto/googleapis/rpc/errdetails).
#   generate.sh [OUT_DIR]     default: build/gen/go (never committed)
# Then, offline against Debian's Go packages:
#   GO111MODULE=off GOPATH=OUT_DIR:/usr/share/gocode go run main.go
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-$root/build/gen/go}
mkdir -p "$out/src"
protoc --proto_path="$root/proto" --go_out="$out/src" --go-grpc_out="$out/src" \
  "$root/proto/seedgate/v1/chat.proto"
