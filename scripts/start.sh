#!/usr/bin/env bash
# Runs the portal on the embedded defaults: backend on :7007, frontend on :3000, SQLite, guest sign-in, a
# local config repo (.data/config-repo) and, where Go is available, a local Kubernetes control plane with
# the demo's dev environment applied.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GITOPS_ROOT"
bash scripts/bootstrap.sh

data="$GITOPS_ROOT/.data"
mkdir -p "$data"
bash scripts/demo/config-repo.sh "$data/config-repo"

clusters="    []"
cluster_dir="$data/cluster"
stop_cluster() { bash tools/k8s-testbin/stop.sh "$cluster_dir" >/dev/null 2>&1 || true; }
# helm renders the config repo's helm charts; without it (no Go here) those applications show RENDER_FAILED.
if helm_bin="$(bash tools/helm/build.sh 2>"$data/helm-build.log" | tail -n1)" && [ -x "$helm_bin/helm" ]; then
  export PATH="$helm_bin:$PATH"
fi
if bin="$(bash tools/k8s-testbin/build.sh 2>"$data/k8s-build.log" | tail -n1)" && [ -x "$bin/kube-apiserver" ]; then
  export K8S_TESTBIN_BIN="$bin" PATH="$bin:$PATH"
  stop_cluster # a previous run that was killed may have left it running
  trap stop_cluster EXIT
  bash tools/k8s-testbin/start.sh "$cluster_dir" >/dev/null
  # shellcheck disable=SC1091
  source "$cluster_dir/env"
  node --require @backstage/cli/config/nodeTransform.cjs scripts/demo/applyEnvironment.ts \
    "$data/config-repo" dev "$cluster_dir/kubeconfig"
  clusters="    - name: local
      url: $K8S_TESTENV_SERVER
      authProvider: serviceAccount
      serviceAccountToken: $K8S_TESTENV_TOKEN
      caFile: $K8S_TESTENV_CA_FILE"
  echo "make start: local Kubernetes control plane at $K8S_TESTENV_SERVER (KUBECONFIG=$cluster_dir/kubeconfig)" >&2
else
  echo "make start: no local Kubernetes control plane (Go is not installed, see $data/k8s-build.log):" \
    "applications show as Unknown until gitops.clusters points at a cluster" >&2
fi

generated="$data/app-config.demo.yaml"
cat >"$generated" <<YAML
# Written by scripts/start.sh for this machine; not committed.
gitops:
  workingDirectory: $data/gitops
  poll:
    frequency: { seconds: 5 }
    timeout: { minutes: 2 }
  configRepos:
    - id: demo
      url: $data/config-repo
      branch: main
  clusters:
$clusters
YAML

yarn start --config "$GITOPS_ROOT/app-config.yaml" --config "$generated" &
portal=$!
trap 'kill -TERM $portal 2>/dev/null; wait $portal 2>/dev/null; stop_cluster' EXIT INT TERM
wait $portal
