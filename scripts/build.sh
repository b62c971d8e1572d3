#!/usr/bin/env bash
# Configures and builds seedgate into build/ (binaries in build/bin/).
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${SEEDGATE_BUILD_TYPE:-RelWithDebInfo}
jobs=${SEEDGATE_JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
cmake --build build -j "$jobs"
