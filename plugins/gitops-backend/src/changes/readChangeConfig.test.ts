import { ConfigReader } from '@backstage/config';
import { readChangeConfig } from './readChangeConfig';

const NO_PRIVILEGED = `apiVersion: gitops.backstage.io/v1alpha1
kind: Policy
metadata: { name: no-privileged }
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules: [{ apiGroups: ["apps"], kinds: ["Deployment"] }]
  validations:
    - expression: "object.spec.template.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)"
      message: containers do not run privileged
`;

const read = (gitops: object) => readChangeConfig(new ConfigReader({ gitops }));

describe('readChangeConfig', () => {
  it('reads approval rules, policies, the commit author and the health timeout', () => {
    const config = read({
      environments: {
        prod: { approvals: { count: 2, from: ['group:default/platform-team'] } },
        dev: { changeWindows: [] },
      },
      policies: [NO_PRIVILEGED],
      changes: { commitAuthor: { name: 'Bot', email: 'bot@acme.example' }, healthTimeout: { minutes: 10 } },
    });
    expect([...config.approvalRules.values()]).toEqual([
      { environment: 'prod', count: 2, from: ['group:default/platform-team'] },
    ]);
    expect(config.policies.map(p => p.name)).toEqual(['no-privileged']);
    expect(config.commitAuthor).toEqual({ name: 'Bot', email: 'bot@acme.example' });
    expect(config.healthTimeoutMs).toBe(600_000);
  });

  it('defaults to no rules, no policies and 30 minutes', () => {
    const config = read({});
    expect(config.approvalRules.size).toBe(0);
    expect(config.policies).toEqual([]);
    expect(config.healthTimeoutMs).toBe(1_800_000);
  });

  it.each([
    [{ environments: { prod: { approvals: { count: 0 } } } }, /gitops.environments.prod.approvals.count must be a whole number from 1 to 10, not 0/],
    [{ environments: { prod: { approvals: { count: 1, from: ['platform-team'] } } } }, /"platform-team" is not an entity ref/],
    [{ policies: ['kind: Policy\nmetadata: { name: x }\nspec: {}'] }, /gitops.policies\[0\] is not a valid policy/],
    [{ policies: [NO_PRIVILEGED.replace('!c.securityContext.privileged)', '!c.securityContext.privileged')] }, /gitops.policies\[0\]/],
  ])('fails startup with the key at fault: %j', (gitops, message) => {
    expect(() => read(gitops)).toThrow(message);
  });
});
