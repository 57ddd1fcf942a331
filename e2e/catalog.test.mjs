import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, screenshotDir, signInAsGuest } from './lib/browser.mjs';

test('the catalog page lists the example services', { timeout: 180_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await signInAsGuest(page);
    for (const name of ['shop-api', 'report-worker', 'ledger']) {
      await page.getByRole('link', { name, exact: true }).waitFor({ timeout: 60_000 });
    }
    await page.screenshot({ path: path.join(screenshotDir, 'catalog.png'), fullPage: true });
    assert.match(await page.title(), /GitOps Portal/);
  } finally {
    await browser.close();
  }
});
