#!/usr/bin/env bash
# The first README command: install what is missing, build, run seedgate on
# 0.0.0.0:50051. With EVOLINK_API_KEY set (or --api_key_file) it calls the real
# upstream; without, seedgate starts the bundled emulator and says so.
# Extra arguments go to seedgate (see build/bin/seedgate --help).
#
# seedgate refuses to start without client authentication. For the local
# demo this script passes --client_auth=none (seedgate logs a warning) unless
# a mode or credentials are given, on the command line or as SEEDGATE_*.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DSEEDGATE_BUILD_TESTS=OFF
chosen=${SEEDGATE_CLIENT_AUTH:-}${SEEDGATE_CLIENT_TOKENS_FILE:-}${SEEDGATE_TLS_CLIENT_CA:-}
for arg in "$@"; do
  case ${arg//-/_} in
    __client_auth* | __client_tokens_file* | __tls_client_ca*) chosen=yes ;;
  esac
done
if [[ -z $chosen ]]; then
  echo "run.sh: local demo: passing --client_auth=none (anyone who reaches the port may call;" \
       "see README, Security)" >&2
  set -- --client_auth=none "$@"
fi
exec build/bin/seedgate "$@"
