#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok from this module,
# plus kwok-stages.yaml (kwok's "fast" node/pod lifecycle stages, taken from the pinned kwok module).
# Usage: tools/k8s-testbin/build.sh            -> last stdout line is the bin dir
# Env:   K8S_TESTBIN_DIR (default $HOME/.cache/gitops-k8s-testbin), K8S_TESTBIN_FORCE=1 to rebuild.
set -euo pipefail

log() { echo "k8s-testbin: $*" >&2; }
die() { log "error: $*"; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

# Versions come from go.mod so the cache key follows whatever is pinned there.
modver() { awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' go.mod; }
K8S=$(modver k8s.io/kubernetes)
ETCD=$(modver go.etcd.io/etcd/server/v3)
KWOK=$(modver sigs.k8s.io/kwok)
[ -n "$K8S" ] && [ -n "$ETCD" ] && [ -n "$KWOK" ] || die "could not read pinned versions from go.mod"

# A hash of go.mod/go.sum/this script in the key makes any dependency or flag change build into a fresh dir.
SUM=$(cat go.mod go.sum build.sh | sha256sum | cut -c1-10)
KEY="k8s-${K8S}_etcd-${ETCD}_kwok-${KWOK}_${SUM}"
ROOT=${K8S_TESTBIN_DIR:-$HOME/.cache/gitops-k8s-testbin}
BIN="$ROOT/$KEY"

K8S_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
ALL_BINS=(etcd "${K8S_BINS[@]}" kwok)
STAGES=kwok-stages.yaml

missing=()
if [ "${K8S_TESTBIN_FORCE:-0}" = 1 ] || [ ! -s "$BIN/$STAGES" ]; then missing+=(stages); fi
for b in "${ALL_BINS[@]}"; do
  if [ "${K8S_TESTBIN_FORCE:-0}" = 1 ] || [ ! -x "$BIN/$b" ]; then missing+=("$b"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  log "up to date: $BIN"
  echo "$BIN"
  exit 0
fi

# Checked only now, so already-built binaries stay usable on a PATH without go.
command -v go >/dev/null 2>&1 || die "'go' not found on PATH: install Go >= 1.26 to build into $BIN (see tools/k8s-testbin/README.md)"

mkdir -p "$BIN"
# Serialise concurrent builds (e.g. two test runners starting at once) on the same key.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BIN/.lock"
  flock 9
fi

MAJOR=${K8S#v}; MAJOR=${MAJOR%%.*}
MINOR=${K8S#v*.}; MINOR=${MINOR%%.*}
# Same variables as upstream hack/lib/version.sh, so /version reports the real release.
K8S_LDFLAGS=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  K8S_LDFLAGS+=" -X $p.gitVersion=$K8S -X $p.gitMajor=$MAJOR -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done
KWOK_LDFLAGS="-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${K8S#v}"
ETCD_LDFLAGS="-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$ETCD"

export CGO_ENABLED=0
GOFLAGS_COMMON=(-trimpath -buildvcs=false -mod=readonly)

# kwok ships no built-in stages: without them it neither marks the node Ready nor pods Running/Ready.
write_stages() {
  local dir s out="$BIN/.$STAGES.tmp"
  # go mod download (not go list -m) so a fresh module cache still gets the source; it prints the dir as JSON.
  dir=$(go mod download -json sigs.k8s.io/kwok | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -n "$dir" ] && [ -d "$dir/kustomize/stage" ] || die "kwok module source not found (go mod download sigs.k8s.io/kwok)"
  : >"$out"
  for s in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$dir/kustomize/stage/$s" ] || die "kwok stage $s missing in $dir"
    { echo "---"; cat "$dir/kustomize/stage/$s"; } >>"$out"
  done
  mv -f "$out" "$BIN/$STAGES"
  log "wrote $STAGES"
}

# Builds into a temp name and renames, so an interrupted build never leaves a half-written binary behind.
build() { # name package ldflags
  local name=$1 pkg=$2 ldflags=$3 t0
  t0=$(date +%s)
  log "building $name ($pkg)"
  go build "${GOFLAGS_COMMON[@]}" -ldflags "-s -w $ldflags" -o "$BIN/.$name.tmp" "$pkg" >&2
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  log "built $name in $(( $(date +%s) - t0 ))s"
}

T0=$(date +%s)
for b in "${missing[@]}"; do
  # Another process may have built it while we waited for the lock.
  [ "$b" != stages ] && [ -x "$BIN/$b" ] && [ "${K8S_TESTBIN_FORCE:-0}" != 1 ] && continue
  case "$b" in
    stages) write_stages ;;
    etcd) build etcd go.etcd.io/etcd/server/v3 "$ETCD_LDFLAGS" ;;
    kwok) build kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_LDFLAGS" ;;
    *)    build "$b" "k8s.io/kubernetes/cmd/$b" "$K8S_LDFLAGS" ;;
  esac
done
log "all binaries ready in $(( $(date +%s) - T0 ))s: $BIN"
echo "$BIN"
