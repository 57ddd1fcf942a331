import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import { execFileSync } from 'node:child_process';
import {
  alice,
  ChangeTestbed,
  kustomizeUnavailable,
} from './__testUtils__/changeTestbed';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

// Skipped, and reported as skipped, where helm is not installed (make test builds it where Go is).
const helmInstalled = (() => {
  try {
    execFileSync(process.env.HELM_BIN || 'helm', ['version'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return true;
  } catch {
    return false;
  }
})();

const application = (environment: string, helm: string) =>
  [
    'apiVersion: gitops.backstage.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: payments-${environment}`,
    'spec:',
    '  entityRef: component:default/payments',
    `  environment: ${environment}`,
    '  source:',
    '    path: apps/payments/chart',
    helm,
    '  destination:',
    '    cluster: local',
    `    namespace: payments-${environment}`,
    '',
  ].join('\n');

/** A chart as `helm create` lays it out: image repository and tag (empty: the appVersion), replicaCount. */
const PAYMENTS = {
  'apps/payments/chart/Chart.yaml':
    'apiVersion: v2\nname: payments\nversion: 0.1.0\nappVersion: "1.0.0"\n',
  'apps/payments/chart/values.yaml': [
    '# Defaults for every environment.',
    'replicaCount: 1',
    'image:',
    '  repository: ghcr.io/acme/payments',
    '  tag: "" # the chart appVersion when empty',
    '',
  ].join('\n'),
  'apps/payments/chart/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: payments',
    'spec:',
    '  replicas: {{ .Values.replicaCount }}',
    '  selector: {matchLabels: {app: payments}}',
    '  template:',
    '    metadata: {labels: {app: payments}}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
    '',
  ].join('\n'),
  'apps/payments/values/dev.yaml': 'image:\n  tag: "1.2.0" # dev runs ahead\n',
  'apps/payments/values/prod.yaml': '# prod\nreplicaCount: 3 # three zones\n',
  'applications/payments.yaml': [
    application('dev', '    helm: {valueFiles: [../values/dev.yaml]}'),
    application('prod', '    helm: {valueFiles: [../values/prod.yaml]}'),
    application('qa', '    renderer: helm'),
  ].join('---\n'),
};

let skipReason: string | undefined;
beforeAll(async () => {
  skipReason = await kustomizeUnavailable();
  if (skipReason)
    console.warn(`skipping helm change request tests: ${skipReason}`);
});

(helmInstalled ? describe : describe.skip)(
  'ChangeService on helm charts: changes go to the environment values file',
  () => {
    let bed: ChangeTestbed;
    beforeEach(async () => {
      if (skipReason) return;
      bed = await ChangeTestbed.create(databases);
      await bed.commit('add payments, a helm chart', PAYMENTS);
      await bed.syncStatus();
    });
    afterEach(async () => {
      await bed?.cleanup();
    });

    const image = (environment: string, tag: string): ChangeSpec => ({
      type: 'image',
      application: `payments-${environment}`,
      container: 'web',
      tag,
    });

    it('sets the image tag in prod values, keeping its comments, and renders the new image for prod only', async () => {
      if (skipReason) return;
      const preview = await bed.service.preview(
        { changes: [image('prod', '1.1.0')] },
        alice,
      );
      expect(preview.files.map(f => f.path)).toEqual([
        'apps/payments/values/prod.yaml',
      ]);
      const after = preview.files[0].diff;
      expect(after).toContain(' replicaCount: 3 # three zones');
      expect(after).toMatch(/\+image:\n\+ {2}tag: "?1\.1\.0"?/);
      expect(preview.applications.map(a => a.application)).toEqual([
        'payments-prod',
      ]);
      expect(preview.applications[0].manifests[0].diff).toContain(
        '+          image: ghcr.io/acme/payments:1.1.0',
      );
    });

    it('scales prod through replicaCount in its values file', async () => {
      if (skipReason) return;
      const preview = await bed.service.preview(
        {
          changes: [
            { type: 'replicas', application: 'payments-prod', replicas: 5 },
          ],
        },
        alice,
      );
      expect(preview.files.map(f => f.path)).toEqual([
        'apps/payments/values/prod.yaml',
      ]);
      expect(preview.files[0].diff).toContain('+replicaCount: 5 # three zones');
      expect(preview.applications[0].manifests[0].diff).toContain(
        '+  replicas: 5',
      );
    });

    it('promotes dev to prod: the tag dev runs is written to prod values', async () => {
      if (skipReason) return;
      const preview = await bed.service.preview(
        {
          changes: [
            { type: 'promote', from: 'payments-dev', to: 'payments-prod' },
          ],
        },
        alice,
      );
      expect(preview.files.map(f => f.path)).toEqual([
        'apps/payments/values/prod.yaml',
      ]);
      expect(preview.applications[0].manifests[0].diff).toContain(
        '+          image: ghcr.io/acme/payments:1.2.0',
      );
    });

    it('merges what it previewed: main holds the new prod values', async () => {
      if (skipReason) return;
      const { request } = await bed.service.submit(
        { changes: [image('prod', '1.1.0')] },
        alice,
      );
      const merged = await bed.service.merge(request.id, alice);
      expect(merged.state).toBe('merged');
      expect(await bed.show('main', 'apps/payments/values/prod.yaml')).toMatch(
        /tag: "?1\.1\.0"?/,
      );
      // The chart's shared defaults are untouched.
      expect(await bed.show('main', 'apps/payments/chart/values.yaml')).toBe(
        PAYMENTS['apps/payments/chart/values.yaml'],
      );
    });

    it('refuses what it cannot write as values: an env change, and any change to a chart with no values file of its own', async () => {
      if (skipReason) return;
      await expect(
        bed.service.preview(
          {
            changes: [
              {
                type: 'env',
                application: 'payments-prod',
                container: 'web',
                name: 'LOG_LEVEL',
                value: 'debug',
              },
            ],
          },
          alice,
        ),
      ).rejects.toThrow(
        /payments-prod is rendered from a helm chart: only image and replica changes/,
      );
      const error = await bed.service
        .preview({ changes: [image('qa', '1.1.0')] }, alice)
        .catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(
        /no values file of its own, and the chart's values.yaml is shared by every environment/,
      );
      expect([...(await bed.branches()).keys()]).toEqual(['main']);
    });
  },
);
