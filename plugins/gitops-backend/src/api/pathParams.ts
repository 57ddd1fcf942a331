import { z } from 'zod';

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Express decodes %2F and %3A in params: without these, `kind` or `name` could smuggle ref separators.
const ENTITY_KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const ENTITY_NAME = /^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/;

/** An entity named by its parts, as the entity routes and the status action take it. */
export const entityParams = z.object({
  kind: z
    .string()
    .max(63)
    .regex(ENTITY_KIND, 'must be a catalog kind such as Component'),
  namespace: z
    .string()
    .max(253)
    .regex(DNS_NAME, 'must be a catalog namespace such as default'),
  name: z.string().max(253).regex(ENTITY_NAME, 'must be a catalog entity name'),
});

/** An application's name, as the application routes and actions take it. */
export const applicationNameParam = z
  .string()
  .max(253)
  .regex(
    DNS_NAME,
    'must be an application name (lower-case letters, digits, "-" and "."), such as shop-api-prod',
  );

export const applicationParams = z.object({ name: applicationNameParam });
