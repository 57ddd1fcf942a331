import type { EventParams } from '@backstage/plugin-events-node';

// Events that can move a change request: its PR merged or closed, a review, a check finishing.
const EVENTS = new Set(['pull_request', 'pull_request_review', 'check_suite', 'check_run', 'status']);
const CHANGE_BRANCH = /^gitops\/cr-[0-9a-f]{20}$/;

/**
 * Turns GitHub events about change request branches into an immediate tracking pass, so a merge on
 * GitHub shows in Backstage within seconds; the periodic tracker stays the safety net.
 */
export function createGithubChangeEventHandler(options: {
  track(): void;
}): (event: EventParams) => Promise<void> {
  return async event => {
    const raw = event.metadata?.['x-github-event'];
    const name = Array.isArray(raw) ? raw[0] : raw;
    if (!name || !EVENTS.has(name)) return;
    const payload = (event.eventPayload ?? {}) as Record<string, any>;
    const branches: unknown[] = [
      payload.pull_request?.head?.ref,
      payload.check_suite?.head_branch,
      payload.check_run?.check_suite?.head_branch,
      ...(Array.isArray(payload.branches) ? payload.branches.map((b: any) => b?.name) : []),
    ];
    if (branches.some(branch => typeof branch === 'string' && CHANGE_BRANCH.test(branch))) {
      options.track();
    }
  };
}
