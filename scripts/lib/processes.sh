# Background processes for the scripts and shell tests that start seedgate, the
# emulator or nginx. Source it, start each process with `cmd &` then
# `track_pid $!`, and call stop_processes from the EXIT trap:
#
#   source "$(dirname "$0")/../scripts/lib/processes.sh"
#   trap 'stop_processes; rm -rf "$work"' EXIT
#   "$BIN/fake-upstream" --listen 127.0.0.1:0 >"$work/emu.log" 2>&1 &
#   track_pid $!
#   wait_for "$work/emu.log" 'listening on http://'

TRACKED_PIDS=()

track_pid() { TRACKED_PIDS+=("$1"); }

# Kills every tracked process, then reaps them (so that none outlives the
# script and holds its port or files).
stop_processes() {
  local pid
  for pid in "${TRACKED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${TRACKED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  TRACKED_PIDS=()
}

# wait_for FILE REGEX [SECONDS]: returns as soon as a line of FILE matches
# REGEX; after SECONDS (default 15) prints FILE and exits the script with 1.
wait_for() {
  local tries=$((${3:-15} * 10)) i
  for ((i = 0; i < tries; i++)); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): timed out waiting for /$2/ in $1:" >&2
  cat "$1" >&2
  exit 1
}
