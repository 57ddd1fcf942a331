import { type Entity, RELATION_MEMBER_OF } from '@backstage/catalog-model';
import { GITHUB_USER_LOGIN_ANNOTATION } from '../ForgeIdentityResolver';

/**
 * A User entity as the catalog serves it after processing: `spec.memberOf` turned into `memberOf` relations,
 * and, like GitHub org ingestion writes it, the GitHub login as the `github.com/user-login` annotation.
 */
export function catalogUser(
  ref: string,
  options: { login?: string; memberOf?: string[] } = {},
): Entity {
  const [, namespace, name] = /^user:([^/]+)\/(.+)$/.exec(ref)!;
  const memberOf = options.memberOf ?? [];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name,
      namespace,
      ...(options.login
        ? { annotations: { [GITHUB_USER_LOGIN_ANNOTATION]: options.login } }
        : {}),
    },
    spec: { memberOf },
    relations: memberOf.map(targetRef => ({
      type: RELATION_MEMBER_OF,
      targetRef,
    })),
  };
}

/**
 * The testbed's catalog: alice and bob have GitHub logins other than their names, carol's is her name; dave,
 * in platform-team too, has no login annotation, so no GitHub account is known to be his.
 */
export const CATALOG_USERS: Entity[] = [
  catalogUser('user:default/alice', {
    login: 'alice-gh',
    memberOf: ['group:default/team-shop'],
  }),
  catalogUser('user:default/bob', {
    login: 'bobby-gh',
    memberOf: ['group:default/platform-team'],
  }),
  catalogUser('user:default/carol', {
    login: 'carol',
    memberOf: ['group:default/platform-team'],
  }),
  catalogUser('user:default/dave', {
    memberOf: ['group:default/platform-team'],
  }),
];
