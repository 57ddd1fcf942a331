#!/usr/bin/env bash
# Stops the processes that start.sh recorded in DIR/pids (and nothing else). Idempotent.
#
# Usage: tools/k8s-testbin/stop.sh DIR [--rm]
#   --rm  also delete DIR afterwards (kubeconfig, logs, etcd data).
# Env:   K8S_TESTENV_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 10)
set -euo pipefail

log() { echo "k8s-testenv: $*" >&2; }

DIR=${1:-}
[ -n "$DIR" ] || { log "usage: stop.sh DIR [--rm]"; exit 2; }
RM=0
[ "${2:-}" = "--rm" ] && RM=1
if [ ! -d "$DIR" ]; then
  log "nothing to stop: $DIR does not exist"
  exit 0
fi
DIR=$(cd "$DIR" && pwd -P)
TIMEOUT=${K8S_TESTENV_STOP_TIMEOUT:-10}

# A recorded pid counts as ours only while its command line still names DIR, so a reused pid is never killed.
ours() { # pid
  local pid=$1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIR/"
}

# Dependents first, etcd last, so the apiserver does not log storage errors while shutting down.
ORDER=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
names=("${ORDER[@]}")
for f in "$DIR"/pids/*.pid; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .pid)
  case " ${ORDER[*]} " in *" $n "*) ;; *) names+=("$n") ;; esac
done

# One at a time, so the apiserver still has etcd while it drains and exits.
for n in "${names[@]}"; do
  f="$DIR/pids/$n.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f" 2>/dev/null || true)
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! ours "$pid"; then
    rm -f "$f"
    continue
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + TIMEOUT ))
  while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
  if ours "$pid"; then
    log "$n (pid $pid) ignored SIGTERM for ${TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
  fi
  if ours "$pid"; then
    log "error: $n (pid $pid) is still running"
    exit 1
  fi
  rm -f "$f"
  log "stopped $n (pid $pid)"
done

if [ "$RM" = 1 ]; then
  rm -rf "$DIR"
  log "removed $DIR"
fi
