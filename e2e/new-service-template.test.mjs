import { test } from 'node:test';
import assert from 'node:assert/strict';

const backend = process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';
const TIMEOUT_MS = 240_000;

async function guestToken() {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
  assert.equal(res.status, 200, 'guest sign-in');
  return (await res.json()).backstageIdentity.token;
}

async function call(token, method, path, body) {
  const res = await fetch(`${backend}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body && { 'Content-Type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Reads until `done` says yes, bounded in time; returns the last value. */
async function until(read, done, what, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let value;
  while (Date.now() < deadline) {
    value = await read();
    if (done(value)) return value;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: still ${JSON.stringify(value)?.slice(0, 500)} after ${timeoutMs / 1000}s`);
}

test(
  'the new-service template opens a change request that, once merged, runs healthy on the local cluster',
  { timeout: 420_000 },
  async () => {
    const token = await guestToken();
    // Unique per run: the demo config repo keeps what earlier runs merged.
    const name = `svc-${Date.now().toString(36)}`;
    const entityRef = `component:default/${name}`;
    const task = await call(token, 'POST', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/gitops-new-service',
      values: {
        entityRef,
        name,
        image: 'ghcr.io/acme/payments',
        tag: '0.1.0',
        port: 8080,
        environments: [{ name: 'dev', namespace: `${name}-dev`, replicas: 1, cluster: 'local' }],
        description: 'Created by the browser suite',
      },
    });

    // The template's first step proposes the change; its second waits for a reviewer to merge it.
    const list = await until(
      () => call(token, 'GET', `/api/gitops/changes?entityRef=${encodeURIComponent(entityRef)}`),
      page => page.items.some(item => item.state === 'pr-open'),
      'the change request of the template',
    );
    const request = list.items[0];
    assert.deepEqual(request.applications, [{ name: `${name}-dev`, environment: 'dev' }]);
    assert.equal(request.requestedBy, 'user:default/guest');

    await call(token, 'POST', `/api/gitops/changes/${request.id}/merge`);
    const done = await until(
      () => call(token, 'GET', `/api/gitops/changes/${request.id}`),
      current => ['healthy', 'failed', 'closed'].includes(current.state),
      'the change request after merge',
    );
    assert.equal(done.state, 'healthy', done.reason);
    assert.deepEqual(
      done.events.map(event => event.state),
      ['draft', 'checked', 'pr-open', 'merged', 'synced', 'healthy'],
    );

    const status = await call(token, 'GET', `/api/gitops/applications/${name}-dev`);
    assert.equal(status.status.sync, 'Synced');
    assert.equal(status.status.health, 'Healthy');

    const finished = await until(
      () => call(token, 'GET', `/api/scaffolder/v2/tasks/${task.id}`),
      current => ['completed', 'failed', 'cancelled'].includes(current.status),
      'the scaffolder task',
    );
    assert.equal(finished.status, 'completed');
  },
);
