import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  ChangePreview,
  ChangeRequest,
  CreateChangeRequestBody,
  EntityStatusResponse,
} from '@backstage-gitops/plugin-gitops-common';

export interface GitOpsRequestOptions {
  /** Whose request this is: the template's initiator, so the backend checks their permissions. */
  credentials: BackstageCredentials;
  signal?: AbortSignal;
}

/**
 * The GitOps backend's change-request API, called on behalf of a user. Errors are typed from the backend's
 * error body: `InputError` (400), `AuthenticationError` (401), `NotAllowedError` (403), `NotFoundError` (404),
 * `ConflictError` (409), `ServiceUnavailableError` (unreachable, 429 and 5xx: worth retrying).
 */
export class GitOpsChangesClient {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.discovery = options.discovery;
    this.auth = options.auth;
  }

  /** What the change would do; nothing is pushed. */
  async previewChange(
    body: CreateChangeRequestBody,
    options: GitOpsRequestOptions,
  ): Promise<ChangePreview> {
    const { body: preview } = await this.request<ChangePreview>(
      'Previewing the change',
      'POST',
      '/changes/preview',
      options,
      body,
    );
    return preview;
  }

  /** Opens a change request; `created` is false when the idempotency key found an earlier one. */
  async createChange(
    body: CreateChangeRequestBody,
    options: GitOpsRequestOptions,
  ): Promise<{ changeRequest: ChangeRequest; created: boolean }> {
    const { status, body: changeRequest } = await this.request<ChangeRequest>(
      'Proposing the change',
      'POST',
      '/changes',
      options,
      body,
    );
    return { changeRequest, created: status === 201 };
  }

  async getChange(
    id: string,
    options: GitOpsRequestOptions,
  ): Promise<ChangeRequest> {
    const { body } = await this.request<ChangeRequest>(
      `Reading change request ${id}`,
      'GET',
      `/changes/${encodeURIComponent(id)}`,
      options,
    );
    return body;
  }

  async getEntityStatus(
    entityRef: string,
    options: GitOpsRequestOptions,
  ): Promise<EntityStatusResponse> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path = [kind.toLocaleLowerCase('en-US'), namespace, name]
      .map(encodeURIComponent)
      .join('/');
    const { body } = await this.request<EntityStatusResponse>(
      `Reading the GitOps applications of ${entityRef}`,
      'GET',
      `/entities/${path}/status`,
      options,
    );
    return body;
  }

  private async request<T>(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    options: GitOpsRequestOptions,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const baseUrl = await this.discovery.getBaseUrl('gitops');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: 'gitops',
    });
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) {
        throw error;
      }
      const cause = (error as { cause?: { code?: string; message?: string } })
        .cause;
      throw new ServiceUnavailableError(
        `${what} failed: the GitOps backend is unreachable (${
          cause?.code ?? cause?.message ?? (error as Error).message
        })`,
      );
    }
    if (!response.ok) {
      throw await errorFromResponse(what, response);
    }
    return { status: response.status, body: (await response.json()) as T };
  }
}

async function errorFromResponse(
  what: string,
  response: Response,
): Promise<Error> {
  const error = await ResponseError.fromResponse(response);
  const message = `${what} failed with ${error.statusCode}: ${error.cause.message}`;
  // No cause on the typed errors: it would only append "Request failed with <status>" to the message.
  switch (error.statusCode) {
    case 400:
      return new InputError(message);
    case 401:
      return new AuthenticationError(message);
    case 403:
      return new NotAllowedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return error.statusCode === 429 || error.statusCode >= 500
        ? new ServiceUnavailableError(message)
        : new Error(message, { cause: error });
  }
}
