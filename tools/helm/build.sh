#!/usr/bin/env bash
# Builds helm from this module (helm.sh/helm/v4, pinned in go.mod) for the helm renderer's tests and the demo.
# Usage: tools/helm/build.sh            -> last stdout line is the bin dir holding `helm`
# Env:   HELM_BUILD_DIR (default $HOME/.cache/gitops-helm), HELM_BUILD_FORCE=1 to rebuild.
set -euo pipefail

log() { echo "helm-build: $*" >&2; }
die() { log "error: $*"; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

HELM=$(awk '$1 == "helm.sh/helm/v4" && $2 ~ /^v/ { print $2; exit }' go.mod)
[ -n "$HELM" ] || die "could not read the pinned helm version from go.mod"
# A hash of go.mod/go.sum/this script in the key makes any dependency or flag change build into a fresh dir.
SUM=$(cat go.mod go.sum build.sh | sha256sum | cut -c1-10)
BIN="${HELM_BUILD_DIR:-$HOME/.cache/gitops-helm}/helm-${HELM}_${SUM}"

if [ "${HELM_BUILD_FORCE:-0}" != 1 ] && [ -x "$BIN/helm" ]; then
  log "up to date: $BIN"
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "'go' not found on PATH: install Go >= 1.26 to build helm into $BIN"

mkdir -p "$BIN"
# Serialise concurrent builds on the same key.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BIN/.lock"
  flock 9
  if [ "${HELM_BUILD_FORCE:-0}" != 1 ] && [ -x "$BIN/helm" ]; then
    echo "$BIN"
    exit 0
  fi
fi

# Same variables as helm's Makefile, so `helm version` reports the release.
LDFLAGS="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
t0=$(date +%s)
log "building helm $HELM"
CGO_ENABLED=0 go build -trimpath -buildvcs=false -mod=readonly -ldflags "$LDFLAGS" -o "$BIN/.helm.tmp" helm.sh/helm/v4/cmd/helm >&2
# Renamed into place, so an interrupted build never leaves a half-written binary behind.
mv -f "$BIN/.helm.tmp" "$BIN/helm"
log "built helm $HELM in $(( $(date +%s) - t0 ))s: $BIN"
echo "$BIN"
