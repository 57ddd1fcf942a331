import {
  DefaultGithubCredentialsProvider,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import type { RemoteUrl } from './parseRemoteUrl';

/** What git needs to authenticate to one remote: config entries for the environment, and what to redact. */
export interface GitAuth {
  config: Array<readonly [key: string, value: string]>;
  secrets: string[];
}

const NO_AUTH: GitAuth = { config: [], secrets: [] };

/**
 * Credentials for https remotes from Backstage's `integrations` config (GitHub tokens or apps,
 * GitLab tokens), handed to git as an `http.<origin>/.extraHeader` entry: never in the URL or argv,
 * and scoped to the remote's origin so a redirect or submodule elsewhere never receives it.
 */
export class GitCredentials {
  private readonly github: GithubCredentialsProvider;

  constructor(private readonly integrations: ScmIntegrationRegistry) {
    this.github =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  }

  async forRemote(remote: RemoteUrl): Promise<GitAuth> {
    if (remote.protocol !== 'https' || !remote.host) {
      return NO_AUTH;
    }
    const origin = `https://${remote.host}/`;
    if (this.integrations.github.byHost(remote.host)) {
      const { token } = await this.github.getCredentials({
        url: `${origin}${remote.repoPath ?? ''}`,
      });
      return token ? basicAuth(origin, 'x-access-token', token) : NO_AUTH;
    }
    const gitlab = this.integrations.gitlab.byHost(remote.host);
    if (gitlab?.config.token) {
      return basicAuth(origin, 'oauth2', gitlab.config.token);
    }
    return NO_AUTH;
  }

  /** The commit's page on the forge, when the remote is on a configured GitHub host. */
  commitUrl(remote: RemoteUrl, sha: string): string | undefined {
    if (!remote.host || !remote.repoPath) {
      return undefined;
    }
    if (!this.integrations.github.byHost(remote.host)) {
      return undefined;
    }
    const host =
      remote.protocol === 'ssh'
        ? remote.host.replace(/:\d+$/, '')
        : remote.host;
    return `https://${host}/${remote.repoPath}/commit/${sha}`;
  }
}

function basicAuth(origin: string, user: string, token: string): GitAuth {
  const encoded = Buffer.from(`${user}:${token}`, 'utf8').toString('base64');
  return {
    config: [[`http.${origin}.extraHeader`, `Authorization: Basic ${encoded}`]],
    secrets: [token, encoded],
  };
}
