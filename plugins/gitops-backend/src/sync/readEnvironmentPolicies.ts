import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  type ChangeWindow,
  type ChangeWindowEvaluation,
  evaluateChangeWindows,
  validateChangeWindows,
} from '@backstage-gitops/gitops-engine';
import type { ChangeWindowReport } from '@backstage-gitops/plugin-gitops-common';

/** The change windows of each environment, from `gitops.environments.<env>.changeWindows`. */
export interface EnvironmentPolicies {
  /** The environment's windows; none for an environment without configuration. */
  changeWindows(environment: string): ChangeWindow[];
  /** Whether the environment's windows let changes (and manual syncs) happen at `now`. */
  evaluate(environment: string, now: Date): ChangeWindowEvaluation;
  /** The same, in the shape change-request previews show. */
  changeWindowReport(environment: string, now: Date): ChangeWindowReport;
}

/**
 * Reads and checks every environment's change windows once, at startup: a bad cron, duration, time zone
 * or kind fails with the config key of the window.
 */
export function readEnvironmentPolicies(config: Config): EnvironmentPolicies {
  const byEnvironment = new Map<string, ChangeWindow[]>();
  const environments = config.getOptionalConfig('gitops.environments');
  for (const environment of environments?.keys() ?? []) {
    const key = `gitops.environments.${environment}.changeWindows`;
    const entries =
      environments!
        .getConfig(environment)
        .getOptionalConfigArray('changeWindows') ?? [];
    const windows = entries.map((entry, index) =>
      readWindow(entry, `${key}[${index}]`),
    );
    try {
      validateChangeWindows(windows);
    } catch (error) {
      throw new InputError(`Invalid ${key}: ${(error as Error).message}`);
    }
    if (windows.length > 0) byEnvironment.set(environment, windows);
  }

  const changeWindows = (environment: string) =>
    byEnvironment.get(environment) ?? [];
  const evaluate = (environment: string, now: Date) =>
    evaluateChangeWindows(changeWindows(environment), now);
  return {
    changeWindows,
    evaluate,
    changeWindowReport(environment, now) {
      const { open, reason, nextOpenAt } = evaluate(environment, now);
      return {
        environment,
        open,
        ...(reason !== undefined && { reason }),
        ...(nextOpenAt !== undefined && { nextOpenAt }),
      };
    },
  };
}

function readWindow(entry: Config, key: string): ChangeWindow {
  const kind = entry.getString('kind');
  if (kind !== 'allow' && kind !== 'deny') {
    throw new InputError(
      `Invalid ${key}.kind: must be "allow" or "deny", got "${kind}"`,
    );
  }
  const timeZone = entry.getOptionalString('timeZone');
  const manualSync = entry.getOptionalBoolean('manualSync');
  const description = entry.getOptionalString('description');
  return {
    kind,
    schedule: entry.getString('schedule'),
    duration: entry.getString('duration'),
    ...(timeZone !== undefined && { timeZone }),
    ...(manualSync !== undefined && { manualSync }),
    ...(description !== undefined && { description }),
  };
}
