#!/usr/bin/env bash
# Creates the embedded default config repo: a local Git repo seeded from examples/config-repo (only once,
# so changes made through the portal survive restarts). Usage: config-repo.sh DIR
set -euo pipefail
dir=$1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -d "$dir/.git" ]; then
  exit 0
fi
mkdir -p "$dir"
cp -R "$root/examples/config-repo/." "$dir/"
git -C "$dir" init -q -b main
git -C "$dir" add -A
GIT_AUTHOR_NAME="GitOps demo" GIT_AUTHOR_EMAIL="gitops-demo@acme.example" \
GIT_COMMITTER_NAME="GitOps demo" GIT_COMMITTER_EMAIL="gitops-demo@acme.example" \
  git -C "$dir" commit -q -m "Seed the demo config repo from examples/config-repo"
echo "config-repo: created $dir" >&2
