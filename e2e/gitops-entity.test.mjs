import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { launchBrowser, settled, signInAsGuest } from './lib/browser.mjs';

// Screenshots of the pages are documentation too: they go where the README links them.
const docsScreenshots = path.resolve('docs/screenshots');
const clusterEnvFile = path.resolve('.data/cluster/env');
const IMAGE_PATH = 'spec.template.spec.containers[name=web].image';
const LIVE_TIMEOUT_MS = 20_000;
// Tall enough for resources, drift and history in one picture; full-page captures misplace the sidebar.
const TAB_VIEWPORT = { width: 1440, height: 1500 };

/** Reads the local control plane's address, token and CA from the env file `make start` writes. */
function readClusterEnv() {
  const env = Object.fromEntries(
    readFileSync(clusterEnvFile, 'utf8')
      .split('\n')
      .filter(line => line.includes('='))
      .map(line => [
        line.slice(0, line.indexOf('=')),
        line.slice(line.indexOf('=') + 1),
      ]),
  );
  return {
    server: new URL(env.K8S_TESTENV_SERVER),
    token: env.K8S_TESTENV_TOKEN,
    ca: readFileSync(env.K8S_TESTENV_CA_FILE),
  };
}

/** One request to the API server, as `kubectl` would send it; resolves with the parsed body. */
function kube(cluster, method, apiPath, { body, contentType } = {}) {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        hostname: cluster.server.hostname,
        port: cluster.server.port,
        path: apiPath,
        method,
        ca: cluster.ca,
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          Accept: 'application/json',
          ...(body && { 'Content-Type': contentType }),
        },
      },
      response => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (text += chunk));
        response.on('end', () =>
          response.statusCode >= 300
            ? reject(
                new Error(
                  `${method} ${apiPath}: ${response.statusCode} ${text}`,
                ),
              )
            : resolve(JSON.parse(text)),
        );
      },
    );
    request.on('error', reject);
    request.end(body && JSON.stringify(body));
  });
}

/** `kubectl set image`: a strategic-merge patch of one container's image, under its own field manager. */
function setImage(cluster, image, namespace = 'shop-staging') {
  return kube(
    cluster,
    'PATCH',
    `/apis/apps/v1/namespaces/${namespace}/deployments/shop-api?fieldManager=kubectl-set`,
    {
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: { template: { spec: { containers: [{ name: 'web', image }] } } },
      },
    },
  );
}

test(
  'the entity page shows GitOps status per environment and drift live',
  { timeout: 240_000 },
  async () => {
    const cluster = readClusterEnv();
    // staging syncs automatically but does not self-heal: an out-of-band edit stays, as drift.
    const deployment = await kube(
      cluster,
      'GET',
      '/apis/apps/v1/namespaces/shop-staging/deployments/shop-api',
    );
    const desiredImage = deployment.spec.template.spec.containers.find(
      c => c.name === 'web',
    ).image;
    mkdirSync(docsScreenshots, { recursive: true });

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signInAsGuest(page);
      await page.getByRole('link', { name: 'shop-api', exact: true }).click();

      const row = name =>
        page
          .getByRole('row')
          .filter({ has: page.getByText(name, { exact: true }) });
      // dev and staging sync automatically; prod waits for a manual sync, so it is still missing.
      for (const environment of ['shop-api-dev', 'shop-api-staging']) {
        await row(environment)
          .getByText('Synced', { exact: true })
          .waitFor({ timeout: 60_000 });
        await row(environment)
          .getByText('No drift', { exact: true })
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
      }
      await row('shop-api-prod').getByText('OutOfSync', { exact: true }).waitFor();
      await row('shop-api-prod').getByText('Missing', { exact: true }).waitFor();
      const staging = row('shop-api-staging');

      // The out-of-band edit: the page is not reloaded, so only the status signal can bring it in.
      await settled('shop-api-staging');
      const url = page.url();
      await setImage(cluster, 'ghcr.io/acme/shop-api:9.9.9');
      try {
        await staging
          .getByText(/^1 field drifted for \d+s$/)
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
        await staging.getByText('OutOfSync', { exact: true }).waitFor();
        assert.equal(page.url(), url);
        await page.screenshot({
          path: path.join(docsScreenshots, 'entity-card.png'),
        });

        await page.getByRole('link', { name: 'GitOps', exact: true }).click();
        // The environment matrix: Git's image for every environment, and the live one beside staging's.
        await page
          .getByText(`web: ${desiredImage} (live: ghcr.io/acme/shop-api:9.9.9)`, {
            exact: true,
          })
          .waitFor({ timeout: LIVE_TIMEOUT_MS });
        await page
          .getByText(/^web: ghcr\.io\/acme\/shop-api:[^ ]+$/)
          .first()
          .waitFor();
        await page
          .getByRole('tab', { name: 'staging' })
          .click({ timeout: 30_000 });
        const drift = page
          .getByRole('row')
          .filter({ has: page.getByText(IMAGE_PATH, { exact: true }) });
        await drift.waitFor({ timeout: LIVE_TIMEOUT_MS });
        await drift.getByText(desiredImage, { exact: true }).waitFor();
        await drift
          .getByText('ghcr.io/acme/shop-api:9.9.9', { exact: true })
          .waitFor();
        await page.setViewportSize(TAB_VIEWPORT);
        await page.screenshot({
          path: path.join(docsScreenshots, 'entity-tab.png'),
        });
      } finally {
        // Later suites expect the demo as `make start` left it.
        await setImage(cluster, desiredImage);
      }
    } finally {
      await browser.close();
    }
  },
);

test('self-heal puts back an out-of-band edit of dev, where it is enabled', { timeout: 120_000 }, async () => {
  const cluster = readClusterEnv();
  const read = async () =>
    (await kube(cluster, 'GET', '/apis/apps/v1/namespaces/shop-dev/deployments/shop-api')).spec.template.spec.containers.find(
      c => c.name === 'web',
    ).image;
  await settled('shop-api-dev');
  const desired = await read();
  await setImage(cluster, 'ghcr.io/acme/shop-api:6.6.6', 'shop-dev');
  const deadline = Date.now() + 60_000;
  let image = await read();
  while (image !== desired && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250));
    image = await read();
  }
  assert.equal(image, desired, 'the automated sync re-applied Git\'s image');
});
