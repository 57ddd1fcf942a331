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
});
