#!/usr/bin/env bash
# Sets up the toolchain and dependencies; idempotent and quick when already done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GITOPS_ROOT"

if [ "$(gitops_node_major)" -lt "$GITOPS_NODE_MAJOR" ]; then
  echo "bootstrap: node $(node --version 2>/dev/null || echo missing) is older than $GITOPS_NODE_MAJOR; installing Node $GITOPS_NODE_MAJOR into .toolchain/" >&2
  rm -rf "$GITOPS_TOOLCHAIN/node"
  mkdir -p "$GITOPS_TOOLCHAIN/node"
  npm install --no-audit --no-fund --loglevel=error --prefix "$GITOPS_TOOLCHAIN/node" "node@$GITOPS_NODE_MAJOR" >&2
  source "$GITOPS_ROOT/scripts/env.sh"
fi
echo "bootstrap: using node $(node --version)" >&2

# Yarn's install state records the lockfile it saw; skip the (slow) link step when nothing changed.
stamp="node_modules/.gitops-install-stamp"
want="$(cat yarn.lock package.json packages/*/package.json plugins/*/package.json 2>/dev/null | sha256sum | cut -d' ' -f1) $(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "bootstrap: dependencies up to date" >&2
  exit 0
fi
# CI must install exactly the committed lockfile; on a workstation a changed package.json may update it.
if [ -n "${CI:-}" ]; then
  yarn install --immutable >&2
else
  yarn install >&2
fi
echo "$want" > "$stamp"
