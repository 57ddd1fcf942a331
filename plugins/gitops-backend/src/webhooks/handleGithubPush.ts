import type { EventParams } from '@backstage/plugin-events-node';

interface PushPayload {
  ref?: unknown;
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
 * Turns GitHub push events into refreshes of the config repos they touch. Redelivered events (same
 * delivery id) are ignored so a replayed webhook costs nothing.
 */
export function createGithubPushHandler(options: {
  repos: PushTarget[];
  refresh(repoId: string): void;
  rememberDeliveries?: number;
}): (event: EventParams) => Promise<void> {
  const seen = new Set<string>();
  const remember = options.rememberDeliveries ?? 1000;
  return async event => {
    if (header(event, 'x-github-event') !== 'push') return;
    const delivery = header(event, 'x-github-delivery');
    if (delivery) {
      if (seen.has(delivery)) return;
      seen.add(delivery);
      // Sets iterate in insertion order: drop the oldest delivery id.
      if (seen.size > remember) seen.delete(seen.values().next().value!);
    }
    const payload = (event.eventPayload ?? {}) as PushPayload;
    if (typeof payload.ref !== 'string' || !payload.repository) return;
    const urls = ['clone_url', 'html_url', 'ssh_url', 'git_url']
      .map(field => payload.repository?.[field])
      .filter((url): url is string => typeof url === 'string');
    for (const repo of options.repos) {
      if (repo.isPushTo(payload.ref, urls)) options.refresh(repo.id);
    }
  };
}
