import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { z as zod } from 'zod/v3';

/** The zod (v3 API) the scaffolder hands to action schemas; our builders take it so both sides agree. */
export type Zod = typeof zod;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const URL_SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
// Docker reference grammar: [registry[:port]/]path(/path)*, without tag or digest.
const IMAGE_REPOSITORY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
// Characters a shell (or a YAML scalar) treats specially; none belongs in a name that becomes a path.
const SHELL_METACHARACTER = /[\s;&|$`<>(){}[\]!*?'"\\#~^%=,]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * Why a value cannot be used as a name that ends up in a file path of the config repo, or undefined.
 * Checked before the format so that the message names the danger, not just "invalid".
 */
export function unsafeNameProblem(
  value: string,
  what: string,
  options: { allowSlash?: boolean } = {},
): string | undefined {
  if (/^([/\\]|[A-Za-z]:[/\\]|~)/.test(value)) {
    return `${what} must not be an absolute path (got ${show(value)})`;
  }
  if (value.includes('..')) {
    return `${what} must not contain ".." (path traversal; got ${show(value)})`;
  }
  if (!options.allowSlash && value.includes('/')) {
    return `${what} must be a single name, not a path (got ${show(value)})`;
  }
  if (CONTROL_CHARACTER.test(value)) {
    return `${what} must not contain control characters`;
  }
  const meta = SHELL_METACHARACTER.exec(value);
  if (meta) {
    return `${what} must not contain shell metacharacters or whitespace (found ${JSON.stringify(
      meta[0],
    )} in ${show(value)})`;
  }
  return undefined;
}

/**
 * A string checked first for path and shell dangers, then against `pattern`. The checks are refinements, not
 * JSON schema patterns, so the scaffolder's schema validation lets the value through to our clearer message.
 */
function safeString(
  z: Zod,
  what: string,
  pattern: RegExp,
  formatMessage: string,
  options: { maxLength: number; allowSlash?: boolean; optionalEmpty?: boolean },
) {
  return z
    .string()
    .max(options.maxLength, {
      message: `${what} must be at most ${options.maxLength} characters`,
    })
    .superRefine((value, ctx) => {
      if (options.optionalEmpty && value === '') {
        return;
      }
      const problem =
        unsafeNameProblem(value, what, { allowSlash: options.allowSlash }) ??
        (pattern.test(value)
          ? undefined
          : `${what} ${formatMessage} (got ${show(value)})`);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    });
}

/** A DNS-1123 label: application, environment, namespace and container names. */
export const dnsLabelSchema = (z: Zod, what: string, maxLength = 63) =>
  safeString(
    z,
    what,
    DNS_LABEL,
    'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit',
    { maxLength },
  );

/** A Kubernetes object name (DNS-1123 subdomain). */
export const objectNameSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    DNS_SUBDOMAIN,
    'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and "."',
    { maxLength: 253 },
  );

export const kindSchema = (z: Zod, what: string) =>
  safeString(z, what, KIND, 'must be a Kubernetes kind like Deployment', {
    maxLength: 63,
  });

export const clusterNameSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    CLUSTER_NAME,
    'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    { maxLength: 63 },
  );

/** A config repo id (app-config `gitops.configRepos[].id`). */
export const repoIdSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    CLUSTER_NAME,
    'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    { maxLength: 100 },
  );

export const envVarNameSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    ENV_VAR_NAME,
    'must be letters, digits, "_", "-" and ".", not starting with a digit',
    { maxLength: 253 },
  );

export const imageTagSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    IMAGE_TAG,
    'must be an image tag: letters, digits, "_", "." and "-", at most 128 characters',
    { maxLength: 128 },
  );

/** An image repository without tag or digest (`ghcr.io/acme/payments`). */
export const imageRepositorySchema = (z: Zod, what: string) =>
  z
    .string()
    .max(255, { message: `${what} must be at most 255 characters` })
    .superRefine((value, ctx) => {
      const lastSegment = value.slice(value.lastIndexOf('/') + 1);
      const problem =
        unsafeNameProblem(value, what, { allowSlash: true }) ??
        (value.includes('@') || lastSegment.includes(':')
          ? `${what} is the repository only: put the version in "tag", not in ${show(
              value,
            )}`
          : undefined) ??
        (IMAGE_REPOSITORY.test(value)
          ? undefined
          : `${what} must be an image repository like ghcr.io/acme/payments (got ${show(
              value,
            )})`);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    });

/** A Kubernetes quantity (`250m`, `512Mi`). */
export const quantitySchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    QUANTITY,
    'must be a Kubernetes quantity like 250m or 512Mi',
    {
      maxLength: 32,
    },
  );

/** A change request id: opaque and URL-safe (`cr-…`). */
export const changeRequestIdSchema = (z: Zod, what: string) =>
  safeString(
    z,
    what,
    URL_SAFE_ID,
    'must be a change request id like cr-0f3a9c2b7d41e6a85c10',
    {
      maxLength: 128,
    },
  );

/** A catalog entity ref, normalized to `kind:namespace/name` (namespace defaults to `default`). */
export const entityRefSchema = (z: Zod, what: string) =>
  z
    .string()
    .max(255, { message: `${what} must be at most 255 characters` })
    .superRefine((value, ctx) => {
      try {
        parseEntityRef(value, { defaultNamespace: 'default' });
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} must be a catalog entity reference like component:default/shop-api (${
            (error as Error).message
          })`,
        });
      }
    })
    .transform(value =>
      stringifyEntityRef(
        parseEntityRef(value, { defaultNamespace: 'default' }),
      ),
    );
