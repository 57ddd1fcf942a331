import type { EventParams } from '@backstage/plugin-events-node';

interface PushPayload {
  ref?: unknown;
  before?: unknown;
  after?: unknown;
  pusher?: unknown;
  repository?: Record<string, unknown>;
}

export interface PushTarget {
  id: string;
  isPushTo(ref: string, remoteUrls: string[]): boolean;
}

function header(event: EventParams, name: string): string | undefined {
  const value = event.metadata?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A push payload, told by its shape: `ref`, `before`, `after` and `pusher` (`create` and `delete` events carry
 * a `ref` but neither `before` nor `after`). Needed for events relayed by the events bus, which carries the
 * payload only: the webhook's headers (`x-github-event`, `x-github-delivery`) stay in the receiving process.
 */
function isPushPayload(payload: PushPayload): boolean {
  return (
    typeof payload.ref === 'string' &&
    typeof payload.before === 'string' &&
    typeof payload.after === 'string' &&
    typeof payload.pusher === 'object' &&
    payload.pusher !== null
  );
}

/**
 * Turns GitHub push events into refreshes of the config repos they touch. Redelivered events (same
 * delivery id) are ignored so a replayed webhook costs nothing. An event without headers, as another
 * replica's webhook arrives through the events bus, is taken for a push when its payload is one; it has no
 * delivery id to remember, and refreshing a repo whose head did not move costs one fetch.
 */
export function createGithubPushHandler(options: {
  repos: PushTarget[];
  refresh(repoId: string): void;
  rememberDeliveries?: number;
}): (event: EventParams) => Promise<void> {
  const seen = new Set<string>();
  const remember = options.rememberDeliveries ?? 1000;
  return async event => {
    const payload = (event.eventPayload ?? {}) as PushPayload;
    const type = header(event, 'x-github-event');
    if (type === undefined ? !isPushPayload(payload) : type !== 'push') return;
    const delivery = header(event, 'x-github-delivery');
    if (delivery) {
      if (seen.has(delivery)) return;
      seen.add(delivery);
      // Sets iterate in insertion order: drop the oldest delivery id.
      if (seen.size > remember) seen.delete(seen.values().next().value!);
    }
    if (typeof payload.ref !== 'string' || !payload.repository) return;
    const urls = ['clone_url', 'html_url', 'ssh_url', 'git_url']
      .map(field => payload.repository?.[field])
      .filter((url): url is string => typeof url === 'string');
    for (const repo of options.repos) {
      if (repo.isPushTo(payload.ref, urls)) options.refresh(repo.id);
    }
  };
}
