import { CHANGE_REQUEST_STATES } from '@backstage-gitops/plugin-gitops-common';
import { z } from 'zod';

// DNS-1123 names: what Kubernetes accepts for objects, namespaces and our application names.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Dot-separated labels, as Kubernetes checks them: no empty label, so no `..`.
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Free text that lands in YAML, commits, PRs and notifications: no control characters (but tab and newline),
// and no bidirectional overrides that would make a reviewer read something else than what is written.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const TEXT = /^[^\u0000-\u0008\u000b-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const PROSE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const ONE_LINE = /^[^\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$/;
const TEXT_MESSAGE = 'must not contain control characters or bidirectional overrides';
// Docker's tag grammar: no `/`, `:`, spaces or shell metacharacters can pass.
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// A registry host (optional port) and lower-case path components, as the distribution spec allows.
const IMAGE_REPOSITORY =
  /^(?:[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,252}$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const ENTITY_REF = /^[a-z][a-z0-9-]*:[a-z0-9][-a-z0-9._]*\/[A-Za-z0-9][-A-Za-z0-9._]*$/i;
const CHANGE_ID = /^cr-[0-9a-f]{20}$/;
// A readable field path: keys, [n] and [key=value]; no quotes, so nothing to escape into.
const FIELD_PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(?:\.[A-Za-z_$][A-Za-z0-9_$-]*|\[[0-9]+\]|\[[A-Za-z]+=[A-Za-z0-9_.:/@-]+\])*$/;

const applicationName = z.string().max(253).regex(DNS_NAME, 'must be an application name (lower-case letters, digits, "-" and ".")');
const workload = z.strictObject({
  kind: z.string().regex(KIND, 'must be a Kubernetes kind such as Deployment'),
  name: z.string().max(253).regex(DNS_NAME, 'must be a Kubernetes object name'),
});
const container = z.string().max(63).regex(DNS_LABEL, 'must be a container name');
const quantities = z.strictObject({
  cpu: z.string().max(32).regex(QUANTITY, 'must be a Kubernetes quantity such as 250m or 1').optional(),
  memory: z.string().max(32).regex(QUANTITY, 'must be a Kubernetes quantity such as 512Mi').optional(),
});

export const changeSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('image'),
    application: applicationName,
    workload: workload.optional(),
    container: container.optional(),
    tag: z.string().regex(IMAGE_TAG, 'must be an image tag: letters, digits, "_", "." and "-", at most 128'),
  }),
  z.strictObject({
    type: z.literal('replicas'),
    application: applicationName,
    workload: workload.optional(),
    replicas: z.number().int().min(0).max(10_000),
  }),
  z.strictObject({
    type: z.literal('env'),
    application: applicationName,
    workload: workload.optional(),
    container: container.optional(),
    name: z.string().regex(ENV_NAME, 'must be an environment variable name'),
    value: z.string().max(32 * 1024).regex(TEXT, TEXT_MESSAGE).nullable(),
  }),
  z.strictObject({
    type: z.literal('resources'),
    application: applicationName,
    workload: workload.optional(),
    container: container.optional(),
    requests: quantities.optional(),
    limits: quantities.optional(),
  }),
  z.strictObject({ type: z.literal('promote'), from: applicationName, to: applicationName }),
  z.strictObject({ type: z.literal('rollback'), changeRequest: z.string().regex(CHANGE_ID, 'must be a change request id') }),
  z.strictObject({
    type: z.literal('codify'),
    application: applicationName,
    resource: z.strictObject({
      group: z.string().max(253).regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must be an API group'),
      kind: z.string().regex(KIND, 'must be a Kubernetes kind'),
      namespace: z.string().max(63).regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'must be a namespace'),
      name: z.string().max(253).regex(DNS_NAME, 'must be a Kubernetes object name'),
    }),
    path: z.string().max(512).regex(FIELD_PATH, 'must be a field path such as spec.template.spec.containers[name=web].image'),
  }),
  z.strictObject({
    type: z.literal('application'),
    name: z.string().max(40).regex(DNS_LABEL, 'must be a DNS label (lower-case letters, digits and "-")'),
    entityRef: z.string().max(255).regex(ENTITY_REF, 'must be an entity ref such as component:default/payments'),
    image: z.string().max(255).regex(IMAGE_REPOSITORY, 'must be an image repository without tag, such as ghcr.io/acme/payments'),
    tag: z.string().regex(IMAGE_TAG, 'must be an image tag'),
    port: z.number().int().min(1).max(65535),
    environments: z
      .array(
        z.strictObject({
          name: z.string().max(20).regex(DNS_LABEL, 'must be a DNS label'),
          namespace: z.string().max(63).regex(DNS_LABEL, 'must be a namespace name'),
          cluster: z.string().max(63).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a configured cluster name').optional(),
          replicas: z.number().int().min(0).max(1000).optional(),
        }),
      )
      .min(1)
      .max(20),
    repo: z.string().max(100).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a config repo id').optional(),
  }),
]);

export const createChangeRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(200).regex(ONE_LINE, `must be one line and ${TEXT_MESSAGE}`).optional(),
  // Markdown from a text area or a template may end its lines with CRLF.
  description: z.string().max(10_000).regex(PROSE, TEXT_MESSAGE).optional(),
  changes: z.array(changeSpecSchema).min(1).max(50),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, "_", ".", ":" or "-"').optional(),
  baseSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full commit sha').optional(),
});

export const changeIdParams = z.object({ id: z.string().regex(CHANGE_ID, 'must be a change request id') });

export const changeListQuery = z.object({
  entityRef: z.string().max(255).regex(ENTITY_REF, 'must be an entity ref').optional(),
  state: z.enum(CHANGE_REQUEST_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1024).optional(),
});

