import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { frontend, launchBrowser, screenshotDir, signInAsGuest } from './lib/browser.mjs';

const SERVICES = ['shop-api', 'report-worker', 'ledger'];

test('the catalog page lists the example services', { timeout: 240_000 }, async () => {
  const browser = await launchBrowser();
  const page = await browser.newPage();
  try {
    await signInAsGuest(page);
    // The catalog ingests the example file in the background after start-up; the list does not refresh
    // by itself, so reload until every service is there (bounded).
    const deadline = Date.now() + 150_000;
    let missing = SERVICES;
    while (Date.now() < deadline) {
      await page.getByRole('link', { name: 'shop-api', exact: true }).or(page.getByText('No records to display')).first().waitFor({ timeout: 60_000 });
      const visible = await Promise.all(
        SERVICES.map(name => page.getByRole('link', { name, exact: true }).isVisible()),
      );
      missing = SERVICES.filter((_, i) => !visible[i]);
      if (missing.length === 0) break;
      await new Promise(resolve => setTimeout(resolve, 3000));
      await page.goto(frontend);
    }
    await page.screenshot({ path: path.join(screenshotDir, 'catalog.png'), fullPage: true });
    assert.deepEqual(missing, [], `services missing from the catalog page: ${missing.join(', ')}`);
    assert.match(await page.title(), /GitOps Portal/);
  } catch (error) {
    await page.screenshot({ path: path.join(screenshotDir, 'catalog-failure.png'), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await browser.close();
  }
});
