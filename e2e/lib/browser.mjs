// Headless Debian Chromium driven by playwright-core; no browser download needed.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const frontend = process.env.GITOPS_E2E_FRONTEND ?? 'http://localhost:3000';
export const screenshotDir = path.resolve('.data/e2e/screenshots');

export async function launchBrowser() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'gitops-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    // Without the background-networking flags Chromium keeps dialling hosts this sandbox cannot reach.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(screenshotDir, { recursive: true });
  return context;
}

/** Signs in as the guest user, the embedded default identity. */
export async function signInAsGuest(page) {
  await page.goto(frontend);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 60_000 });
  await enter.click();
}

/** Opens a page of the app by URL; a full page load asks for sign-in again, so the guest enters once more. */
export async function openAsGuest(page, pathAndQuery) {
  await page.goto(`${frontend}${pathAndQuery}`);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 60_000 });
  await enter.click();
}

export const backend = process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';

/** A guest's Backstage token, for calling the backend's API as the browser would. */
export async function guestToken() {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
  if (!res.ok) throw new Error(`guest sign-in: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/** GETs a GitOps API path as the guest. */
export async function gitopsApi(token, path) {
  const res = await fetch(`${backend}/api/gitops${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Waits until a sync of the application's current revision has finished, starting one ("sync now") when there
 * is none: an out-of-band edit made before it would be overwritten by the first automated sync of the
 * revision, as in Argo CD. (A portal restarted on an in-memory database has forgotten its earlier syncs.)
 */
export async function settled(application, timeoutMs = 60_000) {
  const token = await guestToken();
  const deadline = Date.now() + timeoutMs;
  let asked = false;
  for (;;) {
    const { status } = await gitopsApi(token, `/applications/${application}`);
    const { items } = await gitopsApi(token, `/applications/${application}/syncs?limit=1`);
    const last = items[0];
    const current = last && last.revision === status.revision?.sha;
    if (current && last.result !== 'running' && status.sync === 'Synced') return;
    if (!current && !asked && status.sync === 'Synced') {
      const res = await fetch(`${backend}/api/gitops/applications/${application}/sync`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      });
      if (res.status !== 202) throw new Error(`sync now of ${application}: ${res.status} ${await res.text()}`);
      asked = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`${application} has not settled: ${status.sync}, last sync ${JSON.stringify(last)?.slice(0, 300)}`);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}
