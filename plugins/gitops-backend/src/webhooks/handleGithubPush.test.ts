import { createGithubPushHandler } from './handleGithubPush';
import { ConfigRepository } from '../git';
import os from 'node:os';

const repo = new ConfigRepository({
  id: 'fleet',
  url: 'https://github.com/acme/fleet-config.git',
  branch: 'main',
  workDir: os.tmpdir(),
});

function push(overrides: Record<string, unknown> = {}, metadata: Record<string, string> = {}) {
  return {
    topic: 'github',
    eventPayload: {
      ref: 'refs/heads/main',
      repository: {
        clone_url: 'https://github.com/acme/fleet-config.git',
        ssh_url: 'git@github.com:acme/fleet-config.git',
        html_url: 'https://github.com/acme/fleet-config',
      },
      ...overrides,
    },
    metadata: { 'x-github-event': 'push', 'x-github-delivery': 'd-1', ...metadata },
  };
}

describe('createGithubPushHandler', () => {
  it('refreshes the config repo a push to its branch touches', async () => {
    const refreshed: string[] = [];
    const handle = createGithubPushHandler({ repos: [repo], refresh: id => refreshed.push(id) });
    await handle(push());
    expect(refreshed).toEqual(['fleet']);
  });

  it.each([
    ['another branch', push({ ref: 'refs/heads/feature' })],
    ['a tag', push({ ref: 'refs/tags/v1' })],
    [
      'another repository',
      push({ repository: { clone_url: 'https://github.com/acme/other.git' } }),
    ],
    ['another event', push({}, { 'x-github-event': 'pull_request' })],
    ['a payload without ref', push({ ref: undefined })],
  ])('ignores %s', async (_, event) => {
    const refreshed: string[] = [];
    const handle = createGithubPushHandler({ repos: [repo], refresh: id => refreshed.push(id) });
    await handle(event);
    expect(refreshed).toEqual([]);
  });

  it('ignores a replayed delivery', async () => {
    const refreshed: string[] = [];
    const handle = createGithubPushHandler({ repos: [repo], refresh: id => refreshed.push(id) });
    await handle(push());
    await handle(push());
    await handle(push({}, { 'x-github-delivery': 'd-2' }));
    expect(refreshed).toEqual(['fleet', 'fleet']);
  });

  // The events bus relays the payload only: a push another replica received arrives without headers.
  const relayed = (eventPayload: Record<string, unknown>) => ({
    topic: 'github',
    eventPayload,
  });
  const pushPayload = {
    ref: 'refs/heads/main',
    before: 'a'.repeat(40),
    after: 'b'.repeat(40),
    pusher: { name: 'ada' },
    repository: { clone_url: 'https://github.com/acme/fleet-config.git' },
  };

  it('refreshes on a push relayed without headers, told by its payload', async () => {
    const refreshed: string[] = [];
    const handle = createGithubPushHandler({
      repos: [repo],
      refresh: id => refreshed.push(id),
    });
    await handle(relayed(pushPayload));
    await handle(relayed(pushPayload));
    expect(refreshed).toEqual(['fleet', 'fleet']);
  });

  it.each([
    [
      'a branch creation',
      {
        ref: 'main',
        ref_type: 'branch',
        pusher_type: 'user',
        repository: pushPayload.repository,
      },
    ],
    [
      'a pull request',
      {
        action: 'closed',
        pull_request: { head: { ref: 'main' } },
        repository: pushPayload.repository,
      },
    ],
    ['a push without pusher', { ...pushPayload, pusher: undefined }],
    ['a push to another branch', { ...pushPayload, ref: 'refs/heads/feature' }],
  ])('ignores %s relayed without headers', async (_, payload) => {
    const refreshed: string[] = [];
    const handle = createGithubPushHandler({
      repos: [repo],
      refresh: id => refreshed.push(id),
    });
    await handle(relayed(payload));
    expect(refreshed).toEqual([]);
  });
});
