import { parseRemoteUrl, type RemoteUrl } from '../../../git/parseRemoteUrl';

/** A repository on a GitHub host, read from a config repo's remote URL. */
export interface GithubRemote {
  /** The web host (with port, for https), lower-case: the key of `integrations.github`. */
  host: string;
  owner: string;
  repo: string;
}

/**
 * Reads `https://host/owner/repo(.git)`, `ssh://git@host/owner/repo(.git)` and `git@host:owner/repo(.git)`;
 * `undefined` for local paths, other transports and paths that are not exactly `owner/repo`.
 */
export function parseGithubRemote(url: string): GithubRemote | undefined {
  let remote: RemoteUrl;
  try {
    remote = parseRemoteUrl(url);
  } catch {
    return undefined;
  }
  if (
    (remote.protocol !== 'https' && remote.protocol !== 'ssh') ||
    !remote.host ||
    !remote.repoPath
  ) {
    return undefined;
  }
  const segments = remote.repoPath.split('/');
  if (segments.length !== 2 || segments.some(segment => segment === '')) {
    return undefined;
  }
  // An ssh port is the git server's, not the web host's the integration is keyed by.
  const host =
    remote.protocol === 'ssh' ? remote.host.replace(/:\d+$/, '') : remote.host;
  return { host: host.toLowerCase(), owner: segments[0], repo: segments[1] };
}
