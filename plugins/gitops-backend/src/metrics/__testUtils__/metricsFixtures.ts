import type {
  ChangeRequest,
  ChangeRequestEvent,
  ChangeRequestState,
  ChangeSpec,
} from '@backstage-gitops/plugin-gitops-common';
import type {
  ApplicationStart,
  HistoryPoint,
  MetricsHistory,
  TimeRange,
} from '../types';

const HOUR_MS = 3_600_000;

/** Thursday 1 October 2026, 00:00 UTC: every fixture time is hours after it. */
export const T0 = Date.UTC(2026, 9, 1);

/** The instant `hour` hours after {@link T0}, as the store writes it. */
export function at(hour: number): string {
  return new Date(T0 + hour * HOUR_MS).toISOString();
}

/** A range from `fromHours` to `toHours` after {@link T0}. */
export function hours(fromHours: number, toHours: number): TimeRange {
  return { from: T0 + fromHours * HOUR_MS, to: T0 + toHours * HOUR_MS };
}

/** A verdict change: Synced and Healthy at revision `r1` without drift unless said otherwise. */
export function point(
  application: string,
  hour: number,
  verdict: Partial<Omit<HistoryPoint, 'application' | 'at'>> = {},
): HistoryPoint {
  return {
    application,
    at: at(hour),
    sync: 'Synced',
    health: 'Healthy',
    revision: 'r1',
    driftCount: 0,
    ...verdict,
  };
}

export function history(
  points: HistoryPoint[],
  start: Record<string, ApplicationStart> = {},
): MetricsHistory {
  return { start: new Map(Object.entries(start)), points };
}

/**
 * A change request of shop-api-prod whose events happened at the given hours, in that order of states;
 * `healthy` at 3 means `{ healthy: 3 }`.
 */
export function changeRequest(
  id: string,
  steps: Partial<Record<ChangeRequestState, number>>,
  options: {
    mergeSha?: string;
    applications?: string[];
    changes?: ChangeSpec[];
    events?: ChangeRequestEvent[];
  } = {},
): ChangeRequest {
  const events: ChangeRequestEvent[] =
    options.events ??
    Object.entries(steps)
      .map(([state, hour]) => ({
        at: at(hour!),
        state: state as ChangeRequestState,
      }))
      .sort((a, b) => a.at.localeCompare(b.at));
  const state = events.length ? events[events.length - 1].state : 'draft';
  const applications = (options.applications ?? ['shop-api-prod']).map(
    name => ({
      name,
      environment: name.split('-').pop()!,
    }),
  );
  return {
    id,
    title: `Change ${id}`,
    entityRef: 'component:default/shop-api',
    repo: 'platform-config',
    changes: options.changes ?? [
      { type: 'image', application: applications[0].name, tag: '1.0.0' },
    ],
    applications,
    state,
    requestedBy: 'user:default/alice',
    createdAt: events[0]?.at ?? at(0),
    updatedAt: events[events.length - 1]?.at ?? at(0),
    baseSha: 'base000',
    policy: { verdict: 'allow', findings: [] },
    approvals: [],
    approvalsRequired: [],
    ...(options.mergeSha && {
      pullRequest: {
        provider: 'local',
        id: `gitops/${id}`,
        branch: `gitops/${id}`,
        headSha: 'head000',
        mergeSha: options.mergeSha,
      },
    }),
    events,
  };
}
