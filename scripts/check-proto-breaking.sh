#!/usr/bin/env bash
# Fails when proto/ changed in a way that breaks existing clients.
#
# A change to proto/ that breaks existing clients (wire or generated code, buf's
# FILE rules) fails unless the commit says it is deliberate with a trailer line
#   Breaking-Proto: <why, and what clients must do>
# (or SEEDGATE_ALLOW_BREAKING_PROTO=<why> for a local run). Compared: the proto
# as committed at HEAD against HEAD~1, or, with uncommitted changes under
# proto/, the working tree against HEAD. SEEDGATE_PROTO_BASE=<ref> picks another
# base (e.g. origin/main for a branch of several commits).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${SEEDGATE_PROTO_BASE:-}
if [[ -z "$base" ]]; then
  if git diff --quiet HEAD -- proto buf.yaml 2>/dev/null; then base=HEAD~1; else base=HEAD; fi
fi
allow=${SEEDGATE_ALLOW_BREAKING_PROTO:-}
if [[ "$base" != HEAD && -z "$allow" ]]; then  # the trailers of the commits compared
  allow=$(git log --format='%(trailers:key=Breaking-Proto,valueonly)' "$base..HEAD" 2>/dev/null |
          tr -s '\n' ' ' | sed 's/^ *//; s/ *$//') || true
fi
if ! git rev-parse -q --verify HEAD >/dev/null 2>&1; then
  echo "SKIPPED buf breaking: not a git checkout, no previous proto to compare with"
elif ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
    echo "SKIPPED buf breaking: shallow clone without $base (clone with --depth 2 or more to check)"
  else
    echo "SKIPPED buf breaking: $base does not exist (first commit?)"
  fi
elif ! git cat-file -e "$base:proto/seedgate" 2>/dev/null; then
  echo "SKIPPED buf breaking: $base has no proto/seedgate/, nothing to compare with"
elif .cache/node/node_modules/.bin/buf breaking --against ".git#ref=$base"; then
  echo "no breaking change against $base"
elif [[ -n "$allow" ]]; then
  echo "buf breaking: the changes above break existing clients; allowed as deliberate: $allow"
else
  echo "buf breaking: proto/ breaks existing clients (above) against $base. If that is deliberate," >&2
  echo "say why in the commit message, as a trailer line 'Breaking-Proto: <why>' (for a local" >&2
  echo "run: SEEDGATE_ALLOW_BREAKING_PROTO=<why>); else keep the old field or add seedgate.v2." >&2
  exit 1
fi
