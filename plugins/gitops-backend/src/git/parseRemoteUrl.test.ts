import { InputError } from '@backstage/errors';
import { parseRemoteUrl } from './parseRemoteUrl';

describe('parseRemoteUrl', () => {
  it.each([
    [
      'https://github.com/acme/config.git',
      { protocol: 'https', host: 'github.com', repoPath: 'acme/config' },
    ],
    [
      'https://ghe.acme.internal:8443/platform/config',
      {
        protocol: 'https',
        host: 'ghe.acme.internal:8443',
        repoPath: 'platform/config',
      },
    ],
    [
      'ssh://git@github.com/acme/config.git',
      { protocol: 'ssh', host: 'github.com', repoPath: 'acme/config' },
    ],
    [
      'git@github.com:acme/config.git',
      {
        protocol: 'ssh',
        host: 'github.com',
        repoPath: 'acme/config',
        url: 'git@github.com:acme/config.git',
      },
    ],
    [
      'file:///srv/git/config.git',
      { protocol: 'file', url: '/srv/git/config.git' },
    ],
    ['/srv/git/config', { protocol: 'file', url: '/srv/git/config' }],
    ['../config-repo', { protocol: 'file', url: '/srv/config-repo' }],
  ])('reads %j', (remote, expected) => {
    expect(parseRemoteUrl(remote, '/srv/backend')).toMatchObject(expected);
  });

  it.each([
    ['http://github.com/acme/config', /only https, ssh and file/],
    ['git://github.com/acme/config', /only https, ssh and file/],
    ['ftp://example.com/repo', /only https, ssh and file/],
    ['ext::sh -c touch% /tmp/pwned', /remote helper/],
    ['fd::17', /remote helper/],
    [
      'https://user:hunter2@github.com/acme/config',
      /must not carry credentials/,
    ],
    ['https://ghp_token@github.com/acme/config', /must not carry credentials/],
    ['--upload-pack=touch /tmp/pwned', /must not start with "-"/],
    ['-oProxyCommand=evil', /must not start with "-"/],
    ['file://otherhost/srv/repo', /on this machine/],
    ['https://github.com/acme/config\nx', /control characters/],
    ['HTTP://github.com/acme/config', /only https, ssh and file/],
    ['git+ssh://github.com/acme/config', /only https, ssh and file/],
    ['http://169.254.169.254/latest/meta-data', /only https, ssh and file/],
    ['git::https://github.com/acme/config', /remote helper/],
    [
      'https://github.com@evil.example/acme/config',
      /must not carry credentials/,
    ],
    [
      'https://evil.example/acme/config#@github.com/acme/config',
      /query or fragment/,
    ],
    ['https://github.com/acme/config?upload-pack=evil', /query or fragment/],
    ['https://github.com/acme/config\u0000', /control characters/],
    ['[::1]:acme/config', /neither a URL nor a local path/],
    ['', /non-empty/],
    [' https://github.com/a/b', /non-empty/],
  ])('refuses %j', (remote, reason) => {
    expect(() => parseRemoteUrl(remote)).toThrow(InputError);
    expect(() => parseRemoteUrl(remote)).toThrow(reason);
  });

  it('never repeats a password it refuses', () => {
    expect(() =>
      parseRemoteUrl('https://user:hunter2@github.com/acme/config'),
    ).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('hunter2'),
      }),
    );
  });
});
