#!/usr/bin/env bash
# Starts a loopback-only Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok (one fake Node, pods become Running/Ready without containers).
#
# Usage: tools/k8s-testbin/start.sh [DIR]
#   DIR   data dir to create/use (default: a fresh mktemp -d). Must not contain whitespace.
# Env:   K8S_TESTBIN_BIN            use binaries from this dir instead of running build.sh
#        K8S_TESTENV_READY_TIMEOUT  seconds to wait for the whole environment (default 120)
#        K8S_TESTENV_NODES          number of fake nodes to register (default 1)
# Output: logs on stderr; the last stdout line is DIR. DIR then holds kubeconfig, env, pids/, logs/.
# Stop with: tools/k8s-testbin/stop.sh DIR
set -euo pipefail

log() { echo "k8s-testenv: $*" >&2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_START=$(date +%s.%N)

for tool in curl openssl base64; do
  command -v "$tool" >/dev/null 2>&1 || { log "error: '$tool' is required"; exit 1; }
done

if [ -n "${K8S_TESTBIN_BIN:-}" ]; then
  BIN=$K8S_TESTBIN_BIN
else
  BIN=$(bash "$HERE/build.sh" | tail -n 1)
fi
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  [ -x "$BIN/$b" ] || { log "error: $BIN/$b missing (run tools/k8s-testbin/build.sh)"; exit 1; }
done
[ -s "$BIN/kwok-stages.yaml" ] || { log "error: $BIN/kwok-stages.yaml missing (run tools/k8s-testbin/build.sh)"; exit 1; }

DIR=${1:-}
if [ -z "$DIR" ]; then
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/gitops-k8s-testenv.XXXXXX")
fi
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
case "$DIR" in *[[:space:]]*) log "error: DIR must not contain whitespace: $DIR"; exit 1 ;; esac

# A pid is ours while it runs with DIR on its command line (a zombie has an empty one, a reused pid another).
ours() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$DIR/"; }

# Refuse to start twice into the same dir: stop.sh would then lose track of the first set of processes.
if [ -d "$DIR/pids" ]; then
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || continue
    if ours "$(cat "$f")"; then
      log "error: $DIR already has running processes ($(basename "$f" .pid)); run stop.sh $DIR first"
      exit 1
    fi
  done
  rm -f "$DIR"/pids/*.pid
fi
mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/pki" "$DIR/etcd"
chmod 700 "$DIR/etcd" "$DIR/pki"

TIMEOUT=${K8S_TESTENV_READY_TIMEOUT:-120}
DEADLINE=$(( $(date +%s) + TIMEOUT ))
NODES=${K8S_TESTENV_NODES:-1}

# Loopback traffic must never go through a proxy that the caller's environment may define.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
CURL=(curl -sS --noproxy '*' --max-time 5)

fail() {
  log "error: $*"
  for f in "$DIR"/logs/*.log; do
    [ -e "$f" ] || continue
    log "---- last lines of $f"
    tail -n 20 "$f" >&2 || true
  done
  bash "$HERE/stop.sh" "$DIR" >&2 || true
  exit 1
}
trap 'fail "interrupted"' INT TERM

# Free ports BELOW the kernel's ephemeral range: while a stopped API server restarts, its clients keep
# dialling its port, and a client socket given that same port as its ephemeral source port would connect to
# itself (TCP simultaneous open) and hold the port, so the restarted server could not bind it.
free_ports() {
  local n=$1
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$n" <<'PY'
import random, socket, sys
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
socks = []
for _ in range(2000):
    if len(socks) == int(sys.argv[1]):
        break
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randint(10000, low - 1)))
        socks.append(s)
    except OSError:
        s.close()
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
  elif command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net"); const fs = require("fs"); const n = +process.argv[1];
      let low = 32768; try { low = +fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0] || low; } catch {}
      const ports = []; const servers = []; let tries = 0;
      const next = () => {
        if (ports.length === n || ++tries > 2000) { servers.forEach(s => s.close()); console.log(ports.join(" ")); return; }
        const port = 10000 + Math.floor(Math.random() * (low - 10000)); const s = net.createServer();
        s.once("error", next); s.listen(port, "127.0.0.1", () => { servers.push(s); ports.push(port); next(); });
      };
      next();' "$n"
  else
    log "error: python3 or node is required to find free ports"; return 1
  fi
}

read -r ETCD_PORT ETCD_PEER_PORT API_PORT KCM_PORT SCHED_PORT < <(free_ports 5)
[ -n "${SCHED_PORT:-}" ] || fail "could not find free ports"

# Starts a daemon in its own session with no inherited stdio, so a caller reading our stdout (Jest) is not held open.
start_daemon() { # name cmd...
  local name=$1; shift
  setsid "$@" </dev/null >"$DIR/logs/$name.log" 2>&1 &
  local pid=$! i
  echo "$pid" >"$DIR/pids/$name.pid"
  # Until the forked shell has exec'd the daemon, its command line is this script's, which `ours` (and so
  # alive_or_fail) does not recognise: wait for the exec, briefly, so a fast check never reads it as an exit.
  for i in $(seq 1 100); do
    ours "$pid" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  log "started $name (pid $pid)"
}

alive_or_fail() {
  local name
  for name in "$@"; do
    ours "$(cat "$DIR/pids/$name.pid")" || fail "$name exited early (see $DIR/logs/$name.log)"
  done
}

wait_until() { # description command...
  local what=$1; shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$DEADLINE" ] || fail "timed out after ${TIMEOUT}s waiting for $what"
    alive_or_fail "${RUNNING[@]}"
    sleep 0.2
  done
}

# Credentials: a random admin token in system:masters and a service-account signing key.
TOKEN=$(openssl rand -hex 24)
echo "$TOKEN,admin,admin-uid,\"system:masters\"" >"$DIR/pki/tokens.csv"
openssl genrsa -out "$DIR/pki/sa.key" 2048 2>/dev/null
chmod 600 "$DIR/pki/tokens.csv" "$DIR/pki/sa.key"
RUNNING=()

# etcd: single member, loopback only; no fsync since the data is thrown away.
start_daemon etcd "$BIN/etcd" \
  --name=testenv \
  --data-dir="$DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="testenv=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync \
  --log-level=warn
RUNNING+=(etcd)
wait_until "etcd /health" "${CURL[@]}" -f "http://127.0.0.1:$ETCD_PORT/health"

# TaintNodesByCondition is off because no node-lifecycle controller runs to lift its not-ready taint.
start_daemon kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --advertise-address=127.0.0.1 \
  --bind-address=127.0.0.1 \
  --secure-port="$API_PORT" \
  --cert-dir="$DIR/pki" \
  --token-auth-file="$DIR/pki/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$DIR/pki/sa.key" \
  --service-account-signing-key-file="$DIR/pki/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --endpoint-reconciler-type=none \
  --disable-admission-plugins=TaintNodesByCondition \
  --allow-privileged=true \
  --profiling=false
RUNNING+=(kube-apiserver)
AUTH=(-H "Authorization: Bearer $TOKEN")
wait_until "kube-apiserver /readyz" "${CURL[@]}" -kf "${AUTH[@]}" "https://127.0.0.1:$API_PORT/readyz"
T_API=$(date +%s.%N)

# The self-signed serving cert (written by --cert-dir) also carries its CA, so it verifies itself.
CA_FILE="$DIR/pki/apiserver.crt"
[ -s "$CA_FILE" ] || fail "kube-apiserver did not write $CA_FILE"
SERVER="https://127.0.0.1:$API_PORT"
KUBECONFIG_FILE="$DIR/kubeconfig"
umask 077
cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $SERVER
    certificate-authority-data: $(base64 <"$CA_FILE" | tr -d '\n')
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: testenv
  context:
    cluster: testenv
    user: admin
    namespace: default
current-context: testenv
EOF
umask 022
CURL_API=("${CURL[@]}" --cacert "$CA_FILE" "${AUTH[@]}")
"${CURL_API[@]}" -f "$SERVER/version" >/dev/null || fail "kube-apiserver TLS check with $CA_FILE failed"

# Only the controllers that workloads need; no node-lifecycle, so the fake node is never tainted or evicted.
KCM_CONTROLLERS=deployment-controller,replicaset-controller,statefulset-controller,daemonset-controller,job-controller,cronjob-controller,replicationcontroller-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller,endpoints-controller,endpointslice-controller,endpointslice-mirroring-controller,pod-garbage-collector-controller,ttl-after-finished-controller,disruption-controller,resourcequota-controller,clusterrole-aggregation-controller,service-cidr-controller
start_daemon kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$KUBECONFIG_FILE" \
  --bind-address=127.0.0.1 \
  --secure-port="$KCM_PORT" \
  --cert-dir="$DIR/pki/kube-controller-manager" \
  --leader-elect=false \
  --use-service-account-credentials=false \
  --service-account-private-key-file="$DIR/pki/sa.key" \
  --root-ca-file="$CA_FILE" \
  --controllers="$KCM_CONTROLLERS" \
  --kube-api-qps=100 --kube-api-burst=200 \
  --profiling=false
RUNNING+=(kube-controller-manager)

start_daemon kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$KUBECONFIG_FILE" \
  --bind-address=127.0.0.1 \
  --secure-port="$SCHED_PORT" \
  --cert-dir="$DIR/pki/kube-scheduler" \
  --leader-elect=false \
  --kube-api-qps=100 --kube-api-burst=200 \
  --profiling=false
RUNNING+=(kube-scheduler)

# kwok manages only nodes carrying the annotation; node-ip 127.0.0.1 keeps any apiserver->"kubelet" call on loopback.
start_daemon kwok "$BIN/kwok" \
  --kubeconfig="$KUBECONFIG_FILE" \
  --config="$BIN/kwok-stages.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 \
  --cidr=10.244.0.0/16 \
  --node-lease-duration-seconds=40
RUNNING+=(kwok)

# Fake nodes: status (capacity) is accepted on create; kwok then adds conditions and heartbeats.
for i in $(seq 0 $(( NODES - 1 ))); do
  name="kwok-node-$i"
  node_json=$(cat <<EOF
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$name",
 "annotations":{"kwok.x-k8s.io/node":"fake","node.alpha.kubernetes.io/ttl":"0"},
 "labels":{"type":"kwok","kubernetes.io/hostname":"$name","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","node-role.kubernetes.io/agent":""}},
 "status":{"allocatable":{"cpu":"32","memory":"256Gi","pods":"500","ephemeral-storage":"100Gi"},
  "capacity":{"cpu":"32","memory":"256Gi","pods":"500","ephemeral-storage":"100Gi"},
  "nodeInfo":{"architecture":"amd64","operatingSystem":"linux","kubeletVersion":"fake","kubeProxyVersion":"fake","containerRuntimeVersion":"kwok"}}}
EOF
)
  code=$("${CURL_API[@]}" -o "$DIR/logs/node-$name.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data "$node_json" "$SERVER/api/v1/nodes") || fail "could not create node $name"
  case "$code" in 201|409) ;; *) fail "creating node $name returned HTTP $code: $(cat "$DIR/logs/node-$name.json")" ;; esac
done

node_ready() {
  "${CURL_API[@]}" -f "$SERVER/api/v1/nodes/kwok-node-0" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'
}
wait_until "kwok to mark kwok-node-0 Ready" node_ready
# The default ServiceAccount exists once kube-controller-manager's controllers run; pods need it for admission.
wait_until "default ServiceAccount" "${CURL_API[@]}" -f "$SERVER/api/v1/namespaces/default/serviceaccounts/default"
wait_until "kube-scheduler /healthz" "${CURL[@]}" -kf "https://127.0.0.1:$SCHED_PORT/healthz"
wait_until "kube-controller-manager /healthz" "${CURL[@]}" -kf "https://127.0.0.1:$KCM_PORT/healthz"
alive_or_fail "${RUNNING[@]}"

{
  echo "KUBECONFIG=$KUBECONFIG_FILE"
  echo "K8S_TESTENV_DIR=$DIR"
  echo "K8S_TESTENV_SERVER=$SERVER"
  echo "K8S_TESTENV_TOKEN=$TOKEN"
  echo "K8S_TESTENV_CA_FILE=$CA_FILE"
  echo "K8S_TESTENV_BIN=$BIN"
  echo "ETCD_URL=http://127.0.0.1:$ETCD_PORT"
  for name in "${RUNNING[@]}"; do
    var=$(echo "$name" | tr 'a-z-' 'A-Z_')_PID
    echo "$var=$(cat "$DIR/pids/$name.pid")"
  done
} >"$DIR/env"

trap - INT TERM
T_END=$(date +%s.%N)
log "kube-apiserver ready after $(awk -v a="$T_START" -v b="$T_API" 'BEGIN{printf "%.1f", b-a}')s, environment ready after $(awk -v a="$T_START" -v b="$T_END" 'BEGIN{printf "%.1f", b-a}')s"
log "KUBECONFIG=$KUBECONFIG_FILE  (stop with: tools/k8s-testbin/stop.sh $DIR)"
echo "$DIR"
