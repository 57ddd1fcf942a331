import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  type Entity,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The annotation Backstage's GitHub org ingestion (`@backstage/plugin-catalog-backend-module-github`) writes on
 * each User entity: the user's GitHub login.
 */
export const GITHUB_USER_LOGIN_ANNOTATION = 'github.com/user-login';

/** The catalog user a forge login stands for. */
export interface ForgeIdentity {
  /** The user's entity ref (`user:default/alice`); `user:default/<login>` when no catalog user claims the login. */
  user: string;
  /** The user's ref and the groups it is a member of (its `memberOf` relations), as ownership refs. */
  groups: string[];
}

/** Maps forge (GitHub) logins to catalog users and their groups. */
export interface ForgeIdentityResolver {
  /**
   * The identity of each login, keyed by the lower-case login; every login asked for has one. Throws when the
   * catalog cannot answer, so that callers keep what they resolved before.
   */
  resolve(logins: string[]): Promise<Map<string, ForgeIdentity>>;
}

const FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.annotations',
  'relations',
];

/**
 * Resolves logins as Backstage's GitHub org ingestion names users: the User entity whose
 * `github.com/user-login` annotation is the login, with its groups (its `memberOf` relations, as the catalog's
 * default ownership resolution takes them); else `user:default/<login>` with no groups. One catalog request for
 * any number of logins, as this plugin.
 */
export class CatalogForgeIdentityResolver implements ForgeIdentityResolver {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger?: LoggerService,
  ) {}

  async resolve(logins: string[]): Promise<Map<string, ForgeIdentity>> {
    const wanted = [...new Set(logins.map(login => login.toLowerCase()))];
    const result = new Map<string, ForgeIdentity>();
    if (wanted.length === 0) return result;
    const credentials = await this.auth.getOwnServiceCredentials();

    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: 'User',
          [`metadata.annotations.${GITHUB_USER_LOGIN_ANNOTATION}`]: wanted,
        },
        fields: FIELDS,
      },
      { credentials },
    );
    const claimed = new Map<string, Entity[]>();
    for (const entity of items) {
      const login = loginOf(entity);
      if (
        entity.kind.toLowerCase() !== 'user' ||
        !login ||
        !wanted.includes(login)
      )
        continue;
      claimed.set(login, [...(claimed.get(login) ?? []), entity]);
    }
    for (const [login, entities] of claimed) {
      // Refs sort so that the same catalog always gives the same answer.
      const [chosen, ...others] = [...entities].sort((a, b) =>
        stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
      );
      if (others.length > 0) {
        this.logger?.warn(
          `Several catalog users claim the GitHub login ${login} (${entities
            .map(e => stringifyEntityRef(e))
            .join(', ')}); its reviews count as ${stringifyEntityRef(chosen)}`,
        );
      }
      result.set(login, identityOf(chosen));
    }

    // A login no catalog user claims is counted as the user of that name, but lends no groups: a matching name
    // is a coincidence, not proof that the GitHub account is that person's (anyone may register any free login).
    for (const login of wanted.filter(name => !result.has(name))) {
      const user = `user:default/${login}`;
      result.set(login, { user, groups: [user] });
    }
    return result;
  }
}

function loginOf(entity: Entity): string | undefined {
  const login = entity.metadata.annotations?.[GITHUB_USER_LOGIN_ANNOTATION];
  return typeof login === 'string' && login.trim()
    ? login.trim().toLowerCase()
    : undefined;
}

function identityOf(entity: Entity): ForgeIdentity {
  const user = stringifyEntityRef(entity);
  const groups = (entity.relations ?? [])
    .filter(relation => relation.type === RELATION_MEMBER_OF)
    .map(relation => relation.targetRef);
  return { user, groups: [...new Set([user, ...groups])] };
}
