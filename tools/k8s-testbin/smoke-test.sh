#!/usr/bin/env bash
# End-to-end check: start the environment, create a Deployment, wait until it is Available, scale to 0,
# delete a namespace, stop, and verify no process is left. Prints timings on stderr.
# Usage: tools/k8s-testbin/smoke-test.sh   (exit code 0 = all good)
set -euo pipefail

log() { echo "smoke: $*" >&2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

T0=$(now_ms)
DIR=$(bash "$HERE/start.sh" | tail -n 1)
T1=$(now_ms)
log "start.sh took $(( T1 - T0 )) ms (dir $DIR)"
# Always stop what start.sh started, even when a check below fails.
trap 'bash "$HERE/stop.sh" "$DIR" --rm' EXIT

set -a; . "$DIR/env"; set +a
K=("$K8S_TESTENV_BIN/kubectl" --request-timeout=10s)
C=(curl -sS --noproxy '*' --max-time 5 --cacert "$K8S_TESTENV_CA_FILE" -H "Authorization: Bearer $K8S_TESTENV_TOKEN")

"${C[@]}" -f "$K8S_TESTENV_SERVER/readyz" >/dev/null
log "/readyz ok with token; server version $("${C[@]}" -f "$K8S_TESTENV_SERVER/version" | tr -d ' \n' | sed -n 's/.*"gitVersion":"\([^"]*\)".*/\1/p')"

# Polls a jsonpath until it equals the wanted value, at most $3 seconds.
wait_for() { # jsonpath-query want timeout-s resource...
  local q=$1 want=$2 t=$3; shift 3
  local end=$(( $(date +%s) + t ))
  until [ "$("${K[@]}" get "$@" -o "jsonpath=$q" 2>/dev/null)" = "$want" ]; do
    [ "$(date +%s)" -lt "$end" ] || { log "timeout: $* $q != $want"; "${K[@]}" get "$@" -o yaml >&2 || true; return 1; }
    sleep 0.2
  done
}

"${K[@]}" create namespace smoke >/dev/null
T2=$(now_ms)
"${K[@]}" -n smoke apply -f - >/dev/null <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: registry.invalid/web:1.0}
EOF
wait_for '{.status.availableReplicas}' 3 30 -n smoke deployment web
T3=$(now_ms)
log "Deployment 3/3 Available after $(( T3 - T2 )) ms"
"${K[@]}" -n smoke get deploy,rs,pods -o wide >&2

T5=$(now_ms)
"${K[@]}" -n smoke scale deployment web --replicas=0 >/dev/null
end=$(( $(date +%s) + 30 ))
until [ -z "$("${K[@]}" -n smoke get pods -o name)" ]; do
  [ "$(date +%s)" -lt "$end" ] || { log "timeout: pods not deleted after scale to 0"; exit 1; }
  sleep 0.2
done
log "scaled to 0: pods gone after $(( $(now_ms) - T5 )) ms"

T4=$(now_ms)
"${K[@]}" delete namespace smoke --wait=true --timeout=60s >/dev/null
log "namespace deleted in $(( $(now_ms) - T4 )) ms"

trap - EXIT
T6=$(now_ms)
bash "$HERE/stop.sh" "$DIR" --rm
log "stop.sh took $(( $(now_ms) - T6 )) ms"
left=$(ps -eo pid=,args= | grep -F -- "$DIR/" | grep -v grep || true)
[ -z "$left" ] || { log "processes left behind:"; echo "$left" >&2; exit 1; }
log "OK: stopped, no process left"
