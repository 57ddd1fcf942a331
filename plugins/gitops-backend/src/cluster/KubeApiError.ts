import { CustomErrorBase } from '@backstage/errors';
import type { KubeStatus } from '@backstage-gitops/gitops-engine';

/**
 * A Kubernetes API call that failed: with `statusCode` and the server's `Status` body when the server
 * answered, without them when it could not be reached (the message then says why, e.g. `connect ECONNREFUSED`).
 */
export class KubeApiError extends CustomErrorBase {
  name = 'KubeApiError' as const;
  /** The system error code when no answer came, e.g. `ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`. */
  systemCode?: string;

  constructor(
    message: string,
    /** HTTP status, or the `code` of a watch `ERROR` event; undefined when no answer came. */
    readonly statusCode?: number,
    /** The Kubernetes `Status` object the server returned, when it returned one. */
    readonly status?: KubeStatus,
    cause?: unknown,
  ) {
    super(message, cause);
  }

  /** The `reason` of the server's Status, e.g. `NotFound`, `Invalid`, `Expired`, `Gone`. */
  get reason(): string | undefined {
    return this.status?.reason;
  }

  /** 410: the resourceVersion or continue token is older than the server keeps; list again. */
  get isGone(): boolean {
    return this.statusCode === 410;
  }

  /** No answer from the server (connection refused or reset, DNS, TLS, timeout). */
  get isUnreachable(): boolean {
    return this.statusCode === undefined;
  }

  /** Builds the error from an HTTP answer; the body is usually a Status object. */
  static fromResponse(
    method: string,
    path: string,
    statusCode: number,
    body: string,
  ): KubeApiError {
    let status: KubeStatus | undefined;
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed === 'object') status = parsed as KubeStatus;
    } catch {
      // Not JSON (a proxy's HTML page, say): keep a bounded excerpt as the message.
    }
    const message =
      status?.message ||
      `${method} ${path.split('?')[0]} failed with HTTP ${statusCode}${
        body && !status ? `: ${body.slice(0, 200).trim()}` : ''
      }`;
    return new KubeApiError(message, statusCode, status);
  }

  /** Builds the error from a watch `ERROR` event, whose object is a Status. */
  static fromStatus(status: KubeStatus): KubeApiError {
    return new KubeApiError(
      status.message ?? `watch failed: ${status.reason ?? 'unknown reason'}`,
      status.code,
      status,
    );
  }

  /** A request that got no answer; the message is the system's, e.g. `connect ECONNREFUSED 127.0.0.1:6443`. */
  static unreachable(cause: unknown): KubeApiError {
    if (cause instanceof KubeApiError) return cause;
    // Duck-typed: errors from another realm (a vm context) are not `instanceof Error` here.
    const text = (cause as { message?: unknown } | undefined)?.message;
    const message = typeof text === 'string' ? text : String(cause);
    // No `cause` here: CustomErrorBase would repeat the same text after "; caused by".
    const error = new KubeApiError(message);
    error.systemCode = (cause as NodeJS.ErrnoException | undefined)?.code;
    return error;
  }
}
