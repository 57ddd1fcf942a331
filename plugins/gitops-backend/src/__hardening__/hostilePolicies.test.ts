import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { ChangeSpec } from '@backstage-gitops/plugin-gitops-common';
import {
  alice,
  ChangeTestbed,
  kustomizeUnavailable,
} from '../changes/__testUtils__/changeTestbed';

// The bound on "does not hang": an unbudgeted evaluation of the policy below would run for hours.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const image: ChangeSpec = {
  type: 'image',
  application: 'shop-api-dev',
  container: 'web',
  tag: '1.5.0',
};

/** Six nested loops over 40 elements: 4 billion iterations if nothing stops it. */
const RUNAWAY_POLICY = `apiVersion: gitops.backstage.io/v1alpha1
kind: Policy
metadata:
  name: runaway
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        kinds: ["Deployment"]
  variables:
    - name: numbers
      expression: "[${Array.from({ length: 40 }, (_, i) => i).join(', ')}]"
  validations:
    - expression: >-
        variables.numbers.all(a, variables.numbers.all(b, variables.numbers.all(c,
        variables.numbers.all(d, variables.numbers.all(e, variables.numbers.all(f, a + b + c + d + e + f >= 0))))))
      message: never reached
`;

const UNCOMPILABLE_POLICY = `apiVersion: gitops.backstage.io/v1alpha1
kind: Policy
metadata:
  name: broken
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        kinds: ["Deployment"]
  validations:
    - expression: "object.spec.replicas >= "
      message: unfinished
`;

describe('policies in the config repo that cannot be evaluated', () => {
  let skipReason: string | undefined;
  let bed: ChangeTestbed;

  beforeAll(async () => {
    skipReason = await kustomizeUnavailable();
    if (skipReason)
      console.warn(`skipping the hostile policy tests: ${skipReason}`);
  });

  beforeEach(async () => {
    if (skipReason) return;
    bed = await ChangeTestbed.create(databases);
  });

  afterEach(async () => {
    await bed?.cleanup();
  });

  async function expectNothingWritten() {
    expect((await bed.changes.list()).items).toEqual([]);
    expect([...(await bed.branches()).keys()]).toEqual(['main']);
  }

  it('ends a policy that would loop for hours with a POLICY_LIMIT finding in the preview, and refuses to submit under it', async () => {
    if (skipReason) return;
    await bed.commit('a policy that never finishes', {
      'policies/runaway.yaml': RUNAWAY_POLICY,
    });

    const preview = await bed.service.preview({ changes: [image] }, alice);

    expect(preview.policy.verdict).toBe('deny');
    const findings = preview.policy.findings.filter(
      finding => finding.policy === 'runaway',
    );
    expect(findings).toEqual([
      {
        policy: 'runaway',
        object: 'apps/Deployment/shop-dev/shop-api',
        application: 'shop-api-dev',
        action: 'Deny',
        message: expect.stringMatching(
          /^POLICY_LIMIT: .*policies\/runaway\.yaml.*iteration budget/,
        ),
      },
    ]);
    // The engine's message once, not once as the result and again as its error.
    const { message } = findings[0];
    expect(message.split('iteration budget')).toHaveLength(2);

    await expect(
      bed.service.submit({ changes: [image] }, alice),
    ).rejects.toThrow(/runaway.*POLICY_LIMIT/);
    await expectNothingWritten();
  });

  it('blocks every change while a policy file does not compile, naming the file and line', async () => {
    if (skipReason) return;
    await bed.commit('a policy that does not parse', {
      'policies/broken.yaml': UNCOMPILABLE_POLICY,
    });

    const preview = bed.service.preview({ changes: [image] }, alice);
    await expect(preview).rejects.toThrow(ConflictError);
    await expect(preview).rejects.toThrow(
      /policy file policies\/broken\.yaml is invalid.*line 12:41/,
    );
    await expect(
      bed.service.submit({ changes: [image] }, alice),
    ).rejects.toThrow(/policies\/broken\.yaml/);
    await expectNothingWritten();
  });

  it('blocks every change while a policy file is hostile YAML, instead of expanding it', async () => {
    if (skipReason) return;
    const aliases = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
    ];
    for (let i = 1; i < 12; i++) {
      aliases.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(
          97 + i,
        )} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    }
    await bed.commit('a billion laughs', {
      'policies/laughs.yaml': `${aliases.join('\n')}\n`,
    });

    await expect(
      bed.service.preview({ changes: [image] }, alice),
    ).rejects.toThrow(/policy file policies\/laughs\.yaml is invalid.*alias/i);
    await expectNothingWritten();
  });
});
