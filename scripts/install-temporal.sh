#!/usr/bin/env bash
# Makes sure .tools/bin/temporal exists (the Temporal CLI with its embedded dev server and Web UI).
# No npm package ships it and nothing may be downloaded at run time, so it is built from source through
# the Go module proxy once, and a copy is kept in $(go env GOPATH)/bin for later fresh clones.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_BIN="$PWD/.tools/bin"
TARGET="$TOOLS_BIN/temporal"
VERSION="v1.5.1" # the last tag whose go.mod has no replace directive; later tags fail under go install

if [ -x "$TARGET" ]; then exit 0; fi
mkdir -p "$TOOLS_BIN"

candidates=()
[ -n "${TEMPORAL_CLI:-}" ] && candidates+=("$TEMPORAL_CLI")
command -v temporal >/dev/null 2>&1 && candidates+=("$(command -v temporal)")
if command -v go >/dev/null 2>&1; then candidates+=("$(go env GOPATH)/bin/temporal"); fi
for c in "${candidates[@]}"; do
  if [ -x "$c" ]; then
    ln -sf "$(readlink -f "$c")" "$TARGET"
    echo "temporal CLI: using $c"
    exit 0
  fi
done

if ! command -v go >/dev/null 2>&1; then
  echo "install-temporal: no temporal binary found and Go is not installed; set TEMPORAL_CLI to a temporal binary" >&2
  exit 1
fi
echo "temporal CLI: building $VERSION from source (takes about 5 minutes once)..."
start=$(date +%s)
GOBIN="$TOOLS_BIN" go install "github.com/temporalio/cli/cmd/temporal@$VERSION"
echo "temporal CLI: built in $(( $(date +%s) - start ))s, $(du -h "$TARGET" | cut -f1)"
GOPATH_BIN="$(go env GOPATH)/bin"
mkdir -p "$GOPATH_BIN" && cp "$TARGET" "$GOPATH_BIN/temporal" || true
