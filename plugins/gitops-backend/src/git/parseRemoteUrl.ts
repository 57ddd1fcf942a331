import { InputError } from '@backstage/errors';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A config repo remote that git may be pointed at. */
export interface RemoteUrl {
  protocol: 'https' | 'ssh' | 'file';
  /** The remote as given to git: an https or ssh URL, an scp-like address or an absolute path. */
  url: string;
  /** Host (with port, if any) for https and ssh remotes. */
  host?: string;
  /** The repository's path on the host without leading `/` or trailing `.git`, e.g. `acme/config`. */
  repoPath?: string;
}

// `user@host:path`, git's scp-like ssh syntax; a slash before the colon would make it a local path.
const SCP_LIKE = /^(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+):(?!\/\/)([^\0]+)$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Reads a config repo remote: `https://`, `ssh://`, scp-like `git@host:org/repo.git`, `file://` or a
 * local path (made absolute). Throws `InputError` for every other transport (`http`, `git`, `ext::`),
 * for credentials written into the URL, and for anything git could read as an option.
 */
export function parseRemoteUrl(
  remote: string,
  baseDir: string = process.cwd(),
): RemoteUrl {
  const refuse = (why: string): never => {
    throw new InputError(
      `config repo remote "${redactUserInfo(remote)}" ${why}`,
    );
  };
  if (remote.trim() === '' || remote !== remote.trim()) {
    return refuse('must be non-empty without surrounding spaces');
  }
  // eslint-disable-next-line no-control-regex -- a newline or NUL in a remote is never legitimate
  if (/[\u0000-\u001f\u007f]/.test(remote)) {
    return refuse('must not contain control characters');
  }
  if (remote.startsWith('-')) {
    return refuse('must not start with "-"');
  }
  // `transport::address` runs arbitrary helpers (`ext::sh -c ...`).
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(remote)) {
    return refuse('uses a remote helper; only https, ssh and file are allowed');
  }

  const scheme = SCHEME.exec(remote)?.[1].toLowerCase();
  if (scheme !== undefined) {
    let url: URL;
    try {
      url = new URL(remote);
    } catch {
      return refuse('is not a valid URL');
    }
    if (url.password || (scheme === 'https' && url.username)) {
      return refuse(
        'must not carry credentials; configure them under integrations',
      );
    }
    if (scheme === 'file') {
      if (url.host !== '' && url.host !== 'localhost') {
        return refuse('must name a file on this machine');
      }
      return { protocol: 'file', url: fileURLToPath(url) };
    }
    if (scheme !== 'https' && scheme !== 'ssh') {
      return refuse(`uses ${scheme}; only https, ssh and file are allowed`);
    }
    if (url.search || url.hash) {
      return refuse('must not have a query or fragment');
    }
    return {
      protocol: scheme,
      url: url.toString(),
      host: url.host,
      repoPath: repoPathOf(decodeURIComponent(url.pathname)),
    };
  }

  const scp = SCP_LIKE.exec(remote);
  if (scp && !isAbsolute(remote) && !remote.startsWith('.')) {
    return {
      protocol: 'ssh',
      url: remote,
      host: scp[2],
      repoPath: repoPathOf(scp[3]),
    };
  }
  if (remote.includes(':') && !isAbsolute(remote)) {
    return refuse('is neither a URL nor a local path');
  }
  return { protocol: 'file', url: resolve(baseDir, remote) };
}

function repoPathOf(path: string): string {
  return path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

function redactUserInfo(remote: string): string {
  return remote.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@]*@/, '$1***@');
}
