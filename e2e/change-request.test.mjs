import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser, openAsGuest } from './lib/browser.mjs';

const docsScreenshots = path.resolve('docs/screenshots');
// Merge → fetched by the reconciler → applied by automated sync → watched: seconds on the local cluster.
const HEALTHY_TIMEOUT_MS = 90_000;
const PAGE_VIEWPORT = { width: 1440, height: 1700 };

test(
  'an image change submitted from the form is previewed, merged and reaches healthy',
  { timeout: 300_000 },
  async () => {
    mkdirSync(docsScreenshots, { recursive: true });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      // report-worker is a CronJob: healthy on the local cluster without metrics or volumes.
      const tag = `2.${Math.floor(Date.now() / 1000) % 100000}.0`;
      await openAsGuest(
        page,
        '/gitops/changes/new?entity=component:default/report-worker&application=report-worker-staging&type=image',
      );
      const tagField = page.getByLabel('New image tag');
      await tagField.waitFor({ timeout: 60_000 });
      await tagField.fill(tag);
      await page.getByRole('button', { name: 'Preview' }).click();

      // The preview: the overlay's one changed line and the rendered CronJob, checked by policy.
      await page.getByText('apps/report-worker/overlays/staging/kustomization.yaml').first().waitFor({ timeout: 60_000 });
      await page.getByText('Policy allows this change').or(page.getByText('Policy warns about this change')).first().waitFor();
      await page.getByText(`newTag: ${tag}`).first().waitFor();
      await page.setViewportSize(PAGE_VIEWPORT);
      await page.screenshot({ path: path.join(docsScreenshots, 'change-request-preview.png') });

      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForURL(/\/gitops\/changes\/cr-[0-9a-f]{20}$/, { timeout: 60_000 });
      const id = page.url().split('/').pop();
      const merge = page.getByRole('button', { name: 'Merge' });
      await merge.waitFor({ timeout: 30_000 });
      await merge.click();

      // Followed live: the page is not reloaded, the gitops:change signal brings each step.
      const url = page.url();
      const lifecycle = page.getByLabel('Timeline');
      await lifecycle.getByText(/healthy/i).first().waitFor({ timeout: HEALTHY_TIMEOUT_MS });
      assert.equal(page.url(), url);
      await page.screenshot({ path: path.join(docsScreenshots, 'change-request.png') });

      // The same request through the API: merged, synced and healthy, in that order, with timestamps.
      const token = await page.evaluate(async () => {
        const res = await fetch('/api/auth/guest/refresh', { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
        return (await res.json()).backstageIdentity.token;
      }).catch(() => undefined);
      if (token) {
        const backend = process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';
        const res = await fetch(`${backend}/api/gitops/changes/${id}`, { headers: { Authorization: `Bearer ${token}` } });
        const request = await res.json();
        assert.equal(request.state, 'healthy');
        assert.deepEqual(
          request.events.map(e => e.state),
          ['draft', 'checked', 'pr-open', 'merged', 'synced', 'healthy'],
        );
      }
    } finally {
      await browser.close();
    }
  },
);

test('the governance page lists the fleet, filters it and exports CSV', { timeout: 180_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await openAsGuest(page, '/gitops');
    await page.getByText('shop-api-prod').first().waitFor({ timeout: 60_000 });
    await page.getByText('ledger-dev').first().waitFor();
    await page.setViewportSize(PAGE_VIEWPORT);
    await page.screenshot({ path: path.join(docsScreenshots, 'governance.png') });

    const exportCsv = async () => {
      const download = page.waitForEvent('download', { timeout: 30_000 });
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const file = await download;
      const chunks = await (await file.createReadStream()).toArray();
      return Buffer.concat(chunks).toString('utf8').trim().split(/\r?\n/);
    };
    const all = await exportCsv();
    assert.match(all[0], /environment/i);
    assert.ok(all.some(line => line.includes('shop-api-prod')), 'the export lists shop-api-prod');
    // The demo's nine applications, plus what earlier runs of the template suite added.
    assert.ok(all.length - 1 >= 9, `one row per application: ${all.length - 1}`);

    // Filtered to prod: the table and the export keep only prod's applications.
    await page.getByRole('button', { name: /Environment/ }).click();
    await page.getByRole('option', { name: 'prod', exact: true }).click();
    await page.getByText('shop-api-dev').waitFor({ state: 'detached', timeout: 10_000 });
    const prod = await exportCsv();
    assert.deepEqual(
      prod.slice(1).map(line => line.split(',').find(cell => cell.endsWith('-prod'))).sort(),
      ['ledger-prod', 'report-worker-prod', 'shop-api-prod'],
    );
  } finally {
    await browser.close();
  }
});
