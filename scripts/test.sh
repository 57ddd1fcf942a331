#!/usr/bin/env bash
# Runs every check and suite, then prints one closing line `N passed, N failed, N skipped` summing them all.
# Type check and lint count as one check each; Jest and browser suites count their tests.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$GITOPS_ROOT"

only="${2:-all}"
[ "${1:-}" = "--only" ] || only=all
results="$GITOPS_ROOT/.data/test-results"
rm -rf "$results" && mkdir -p "$results"
passed=0 failed=0 skipped=0
failures=()

bash scripts/system-packages.sh || { echo "test: could not install system packages" >&2; exit 1; }

check() { # name, command...: a pass/fail check
  local name=$1; shift
  echo "==> $name" >&2
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

count() { # name, json file with {passed, failed, skipped}, exit status of the suite
  local name=$1 file=$2 status=$3
  if [ -s "$file" ]; then
    read -r p f s < <(node -e 'const r=require(process.argv[1]);console.log(r.passed,r.failed,r.skipped??0)' "$file")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$f" -gt 0 ] || [ "$status" -ne 0 ]; then
      [ "$f" -gt 0 ] || failed=$((failed + 1)) # a suite that crashed without reporting a failed test
      failures+=("$name")
    fi
  else
    failed=$((failed + 1)); failures+=("$name (no results)")
  fi
}

if [ "$only" = all ] || [ "$only" = unit ]; then
  check "typecheck" yarn tsc
  check "lint" yarn backstage-cli repo lint

  # Integration suites run against a real control plane built from Go modules (cached after the first build).
  if command -v go >/dev/null 2>&1 || [ -n "${K8S_TESTBIN_BIN:-}" ]; then
    echo "==> control plane build" >&2
    if K8S_TESTBIN_BIN="$(bash tools/k8s-testbin/build.sh | tail -n1)"; then
      export K8S_TESTBIN_BIN
      # Our kubectl carries kustomize: the renderer uses it when no kustomize binary is installed.
      export PATH="$K8S_TESTBIN_BIN:$PATH"
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); failures+=("control plane build")
    fi
    # helm for the helm renderer's suites, from its own module (cached after the first build).
    echo "==> helm build" >&2
    if helm_bin="$(bash tools/helm/build.sh | tail -n1)" && [ -x "$helm_bin/helm" ]; then
      export PATH="$helm_bin:$PATH"
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); failures+=("helm build")
    fi
  else
    echo "test: Go is not installed: suites that need the local control plane or helm are skipped" >&2
  fi

  # Store tests run on SQLite and on a real PostgreSQL 15, started here and stopped after Jest.
  # Under /tmp: the server runs as the postgres user, who may not traverse the directories above the clone.
  pg_dir="$(mktemp -d /tmp/gitops-test-postgres.XXXXXX)"
  trap 'bash scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1; rm -rf "$pg_dir"' EXIT
  if bash scripts/postgres.sh start "$pg_dir" >/dev/null; then
    source "$pg_dir/env"
  else
    echo "test: PostgreSQL did not start; its store tests will fail" >&2
  fi

  echo "==> jest" >&2
  CI=true yarn backstage-cli repo test --json --outputFile="$results/jest-raw.json"
  status=$?
  bash scripts/postgres.sh stop "$pg_dir" >/dev/null || true
  rm -rf "$pg_dir"
  node -e 'const r=require(process.argv[1]);require("fs").writeFileSync(process.argv[2],JSON.stringify({passed:r.numPassedTests,failed:r.numFailedTests+(r.numRuntimeErrorTestSuites||0),skipped:r.numPendingTests+r.numTodoTests}))' \
    "$results/jest-raw.json" "$results/jest.json" 2>/dev/null
  count jest "$results/jest.json" $status
fi

if [ "$only" = all ] || [ "$only" = e2e ]; then
  echo "==> browser (e2e)" >&2
  node scripts/e2e/run.mjs --results "$results/e2e.json"
  count e2e "$results/e2e.json" $?
fi

[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
