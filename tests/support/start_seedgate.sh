# Sourced by shell tests: starts the seedgate binary ($1) in its no-key demo
# mode (it runs the bundled emulator itself) with --client_auth=none on free ports, sets $port to its
# gRPC port and stops it when the sourcing script exits.
start_seedgate() {
  local binary=$1
  seedgate_log=$(mktemp)
  env -u EVOLINK_API_KEY "$binary" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --client_auth=none \
    2>"$seedgate_log" &
  seedgate_pid=$!
  trap 'kill $seedgate_pid 2>/dev/null || true; wait $seedgate_pid 2>/dev/null || true; rm -f "$seedgate_log"' EXIT
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$seedgate_log")
    [[ -n "$port" ]] && return 0
    sleep 0.1
  done
  echo "seedgate did not start:"
  cat "$seedgate_log"
  exit 1
}
