import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GitCredentials } from './GitCredentials';
import { parseRemoteUrl } from './parseRemoteUrl';

const credentials = new GitCredentials(
  ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [
          { host: 'github.com', token: 'ghp_publicGithubToken' },
          {
            host: 'ghe.acme.internal',
            apiBaseUrl: 'https://ghe.acme.internal/api/v3',
          },
        ],
        gitlab: [
          {
            host: 'gitlab.acme.internal',
            apiBaseUrl: 'https://gitlab.acme.internal/api/v4',
            token: 'glpat-secret',
          },
        ],
      },
    }),
  ),
);

const basic = (user: string, token: string) =>
  Buffer.from(`${user}:${token}`).toString('base64');

describe('GitCredentials', () => {
  it('gives a GitHub token as an extra header scoped to the origin', async () => {
    await expect(
      credentials.forRemote(
        parseRemoteUrl('https://github.com/acme/config.git'),
      ),
    ).resolves.toEqual({
      config: [
        [
          'http.https://github.com/.extraHeader',
          `Authorization: Basic ${basic(
            'x-access-token',
            'ghp_publicGithubToken',
          )}`,
        ],
      ],
      secrets: [
        'ghp_publicGithubToken',
        basic('x-access-token', 'ghp_publicGithubToken'),
      ],
    });
  });

  it('gives a GitLab token as oauth2 basic auth', async () => {
    const auth = await credentials.forRemote(
      parseRemoteUrl('https://gitlab.acme.internal/platform/config.git'),
    );
    expect(auth.config).toEqual([
      [
        'http.https://gitlab.acme.internal/.extraHeader',
        `Authorization: Basic ${basic('oauth2', 'glpat-secret')}`,
      ],
    ]);
  });

  it.each([
    ['git@github.com:acme/config.git'],
    ['file:///srv/config.git'],
    ['https://ghe.acme.internal/acme/config'],
    ['https://unknown.example.com/acme/config'],
  ])(
    'adds nothing for %s (ssh keys, local files, or no token configured)',
    async url => {
      await expect(credentials.forRemote(parseRemoteUrl(url))).resolves.toEqual(
        {
          config: [],
          secrets: [],
        },
      );
    },
  );

  it.each([
    [
      'https://github.com/acme/config.git',
      'https://github.com/acme/config/commit/abc123',
    ],
    [
      'git@github.com:acme/config.git',
      'https://github.com/acme/config/commit/abc123',
    ],
    [
      'https://ghe.acme.internal/platform/config',
      'https://ghe.acme.internal/platform/config/commit/abc123',
    ],
    ['https://gitlab.acme.internal/platform/config', undefined],
    ['file:///srv/config.git', undefined],
  ])('links commits of %s to %s', (url, expected) => {
    expect(credentials.commitUrl(parseRemoteUrl(url), 'abc123')).toBe(expected);
  });
});
