#!/usr/bin/env bash
# The first README command: install what is missing, build, run seedgate on
# 0.0.0.0:50051. With EVOLINK_API_KEY set (or --api_key_file) it calls the real
# upstream; without, seedgate starts the bundled emulator and says so.
# Extra arguments go to seedgate (see build/bin/seedgate --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DSEEDGATE_BUILD_TESTS=OFF
exec build/bin/seedgate "$@"
