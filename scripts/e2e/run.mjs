#!/usr/bin/env node
// Starts the portal exactly as `make start` does, runs the browser suites in e2e/ against it, stops it.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsFile = process.argv.includes('--results')
  ? process.argv[process.argv.indexOf('--results') + 1]
  : path.join(root, '.data/test-results/e2e.json');
const logDir = path.join(root, '.data/e2e');
const STARTUP_TIMEOUT_MS = 8 * 60_000;
const FRONTEND = 'http://localhost:3000';
const BACKEND = 'http://localhost:7007';

function portInUse(port) {
  return new Promise(resolve => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(url, deadline, child) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the portal exited with status ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, 15_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    // The portal runs in its own process group (detached), so this reaches its children and nothing else.
    try { process.kill(-child.pid, 'SIGTERM'); } catch { resolve(); }
  });
}

function runSuites() {
  const files = readdirSync(path.join(root, 'e2e')).filter(f => f.endsWith('.test.mjs')).map(f => path.join('e2e', f));
  return new Promise(resolve => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
      cwd: root,
      env: { ...process.env, GITOPS_E2E_FRONTEND: FRONTEND, GITOPS_E2E_BACKEND: BACKEND },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tap = '';
    child.stdout.on('data', chunk => { tap += chunk; process.stdout.write(chunk); });
    child.on('exit', status => {
      const num = name => Number((tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
      resolve({ passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped') + num('todo'), status });
    });
  });
}

async function main() {
  mkdirSync(logDir, { recursive: true });
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  for (const port of [3000, 7007]) {
    if (await portInUse(port)) throw new Error(`port ${port} is already in use: stop the running portal (make start) first`);
  }
  const log = openSync(path.join(logDir, 'portal.log'), 'w');
  const portal = spawn('bash', ['scripts/start.sh'], { cwd: root, detached: true, stdio: ['ignore', log, log] });
  let result;
  try {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    await waitFor(`${BACKEND}/.backstage/health/v1/readiness`, deadline, portal);
    await waitFor(FRONTEND, deadline, portal);
    result = await runSuites();
  } catch (error) {
    console.error(`e2e: ${error.message} (portal log: .data/e2e/portal.log)`);
    result = { passed: 0, failed: 1, skipped: 0, status: 1 };
  } finally {
    await stop(portal);
  }
  writeFileSync(resultsFile, JSON.stringify(result));
  process.exit(result.failed > 0 || result.status !== 0 ? 1 : 0);
}

main();
