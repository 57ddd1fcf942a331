import { STATUS_CODES } from 'node:http';

/** What GitHub answered to a failed request, read from an Octokit `RequestError`. */
export interface GithubErrorDetails {
  status: number;
  /** GitHub's `message`, followed by the messages of its `errors` entries. */
  message: string;
  /** Lower-case response headers; empty when no response came back. */
  headers: Record<string, string>;
  /** False when the request never got an answer (Octokit reports those as status 500). */
  answered: boolean;
}

/** Reads an Octokit `RequestError`; `undefined` for anything else. */
export function githubErrorDetails(
  error: unknown,
): GithubErrorDetails | undefined {
  if (
    typeof error !== 'object' ||
    error === null ||
    (error as { name?: unknown }).name !== 'HttpError' ||
    typeof (error as { status?: unknown }).status !== 'number'
  ) {
    return undefined;
  }
  const { status, response } = error as {
    status: number;
    response?: { headers?: Record<string, unknown>; data?: unknown };
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response?.headers ?? {})) {
    if (value !== undefined && value !== null) {
      headers[name.toLowerCase()] = String(value);
    }
  }
  return {
    status,
    message:
      messageOf(response?.data) ??
      (response
        ? STATUS_CODES[status] ?? 'with no message'
        : (error as Error).message),
    headers,
    answered: response !== undefined,
  };
}

function messageOf(data: unknown): string | undefined {
  if (typeof data === 'string') {
    const text = data.trim();
    // Proxies and GitHub's own 5xx pages answer HTML, which says nothing useful in an error message.
    return text === '' || text.startsWith('<') ? undefined : text.slice(0, 500);
  }
  if (typeof data !== 'object' || data === null) {
    return undefined;
  }
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts = typeof message === 'string' ? [message] : [];
  if (Array.isArray(errors)) {
    for (const entry of errors) {
      if (typeof entry === 'string') {
        parts.push(entry);
      } else if (
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as { message?: unknown }).message === 'string'
      ) {
        parts.push((entry as { message: string }).message);
      } else if (typeof entry === 'object' && entry !== null) {
        const { resource, field, code } = entry as Record<string, unknown>;
        parts.push([resource, field, code].filter(Boolean).join(' '));
      }
    }
  }
  return parts.length > 0 ? parts.join(': ') : undefined;
}
