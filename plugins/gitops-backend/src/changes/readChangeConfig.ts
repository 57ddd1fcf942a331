import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { loadPolicies, Policy } from '@backstage-gitops/gitops-engine';
import type { ApprovalRule } from '@backstage-gitops/plugin-gitops-common';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { readDurationFromConfig } from '@backstage/config';

export interface ChangeConfig {
  approvalRules: Map<string, ApprovalRule>;
  policies: Policy[];
  commitAuthor?: { name: string; email: string };
  healthTimeoutMs: number;
}

const ENTITY_REF = /^[a-z][a-z0-9-]*:[a-z0-9][-a-z0-9._]*\/[A-Za-z0-9][-A-Za-z0-9._]*$/i;

/** Reads approval rules, app-config policies and commit settings; any mistake fails startup with its key. */
export function readChangeConfig(config: Config): ChangeConfig {
  const approvalRules = new Map<string, ApprovalRule>();
  const environments = config.getOptionalConfig('gitops.environments');
  for (const environment of environments?.keys() ?? []) {
    const approvals = environments!.getOptionalConfig(`${environment}.approvals`);
    if (!approvals) continue;
    const key = `gitops.environments.${environment}.approvals`;
    const count = approvals.getNumber('count');
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw new InputError(`${key}.count must be a whole number from 1 to 10, not ${count}`);
    }
    const from = approvals.getOptionalStringArray('from');
    for (const ref of from ?? []) {
      if (!ENTITY_REF.test(ref)) {
        throw new InputError(`${key}.from: "${ref}" is not an entity ref such as group:default/platform-team`);
      }
    }
    approvalRules.set(environment, { environment, count, ...(from ? { from } : {}) });
  }

  const policies: Policy[] = [];
  (config.getOptionalStringArray('gitops.policies') ?? []).forEach((text, i) => {
    try {
      policies.push(...loadPolicies(text, `app-config gitops.policies[${i}]`));
    } catch (error) {
      throw new InputError(`gitops.policies[${i}] is not a valid policy: ${(error as Error).message}`);
    }
  });

  const author = config.getOptionalConfig('gitops.changes.commitAuthor');
  const timeout = config.has('gitops.changes.healthTimeout')
    ? durationToMilliseconds(readDuration(config, 'gitops.changes.healthTimeout'))
    : 30 * 60_000;
  return {
    approvalRules,
    policies,
    ...(author ? { commitAuthor: { name: author.getString('name'), email: author.getString('email') } } : {}),
    healthTimeoutMs: timeout,
  };
}

function readDuration(config: Config, key: string): HumanDuration {
  return readDurationFromConfig(config, { key });
}
