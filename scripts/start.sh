#!/usr/bin/env bash
# Runs the portal on the embedded defaults: backend on :7007, frontend dev server on :3000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GITOPS_ROOT"
bash scripts/bootstrap.sh
exec yarn start
