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
