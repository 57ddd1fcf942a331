import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogUser } from './__testUtils__/catalogUsers';
import { CatalogForgeIdentityResolver } from './ForgeIdentityResolver';

const USERS = [
  // GitHub org ingestion: the entity is named after the login, and annotated with it.
  catalogUser('user:default/octocat', {
    login: 'octocat',
    memberOf: ['group:default/platform-team', 'group:default/sre'],
  }),
  // A user named by another provider (an email-derived name), whose GitHub login is something else.
  catalogUser('user:default/bob.smith', {
    login: 'bobby-gh',
    memberOf: ['group:default/platform-team'],
  }),
  catalogUser('user:acme/dana', {
    login: 'DanaD',
    memberOf: ['group:acme/ops'],
  }),
  // No annotation: only the name can match.
  catalogUser('user:default/carol', { memberOf: ['group:default/team-shop'] }),
  // Named like a login, but annotated with its own, different GitHub login.
  catalogUser('user:default/mallory', {
    login: 'mallory-real',
    memberOf: ['group:default/platform-team'],
  }),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform-team' },
    spec: { type: 'team', children: [] },
  },
];

function resolverOver(entities = USERS) {
  const catalog = catalogServiceMock({ entities });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const getEntitiesByRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
  const logger = mockServices.logger.mock();
  const resolver = new CatalogForgeIdentityResolver(
    catalog,
    mockServices.auth(),
    logger,
  );
  return { resolver, getEntities, getEntitiesByRefs, logger };
}

describe('CatalogForgeIdentityResolver', () => {
  it('finds the user annotated with the login, with its memberOf groups', async () => {
    const { resolver } = resolverOver();
    const identities = await resolver.resolve(['octocat']);
    expect(identities).toEqual(
      new Map([
        [
          'octocat',
          {
            user: 'user:default/octocat',
            groups: [
              'user:default/octocat',
              'group:default/platform-team',
              'group:default/sre',
            ],
          },
        ],
      ]),
    );
  });

  it('matches the annotation, not the name, whatever the case of the login, in any namespace', async () => {
    const { resolver } = resolverOver();
    const identities = await resolver.resolve(['Bobby-GH', 'danad']);
    expect(identities.get('bobby-gh')).toEqual({
      user: 'user:default/bob.smith',
      groups: ['user:default/bob.smith', 'group:default/platform-team'],
    });
    expect(identities.get('danad')).toEqual({
      user: 'user:acme/dana',
      groups: ['user:acme/dana', 'group:acme/ops'],
    });
  });

  it("counts a login no user claims as user:default/<login>, without that user's groups: a matching name proves nothing", async () => {
    const { resolver } = resolverOver();
    // dave is in platform-team, but nothing says the GitHub account dave is his.
    expect((await resolver.resolve(['dave'])).get('dave')).toEqual({
      user: 'user:default/dave',
      groups: ['user:default/dave'],
    });
  });

  it('counts an unknown login as user:default/<login> with no groups', async () => {
    const { resolver } = resolverOver();
    expect((await resolver.resolve(['stranger'])).get('stranger')).toEqual({
      user: 'user:default/stranger',
      groups: ['user:default/stranger'],
    });
  });

  it('lends no groups through the name of a user that is annotated with another login', async () => {
    const { resolver } = resolverOver();
    expect((await resolver.resolve(['mallory'])).get('mallory')).toEqual({
      user: 'user:default/mallory',
      groups: ['user:default/mallory'],
    });
    // Its own login still resolves to it.
    expect(
      (await resolver.resolve(['mallory-real'])).get('mallory-real')?.groups,
    ).toContain('group:default/platform-team');
  });

  it('asks the catalog once for all logins, as itself', async () => {
    const { resolver, getEntities, getEntitiesByRefs } = resolverOver();
    const identities = await resolver.resolve([
      'octocat',
      'bobby-gh',
      'carol',
      'stranger',
      'OCTOCAT',
    ]);
    expect([...identities.keys()].sort()).toEqual([
      'bobby-gh',
      'carol',
      'octocat',
      'stranger',
    ]);
    expect(getEntities).toHaveBeenCalledTimes(1);
    const [request, options] = getEntities.mock.calls[0];
    expect(request?.filter).toEqual({
      kind: 'User',
      'metadata.annotations.github.com/user-login': [
        'octocat',
        'bobby-gh',
        'carol',
        'stranger',
      ],
    });
    expect(options).toEqual({
      credentials: await mockServices.auth().getOwnServiceCredentials(),
    });
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('asks nothing for no login', async () => {
    const { resolver, getEntities } = resolverOver();
    await expect(resolver.resolve([])).resolves.toEqual(new Map());
    expect(getEntities).not.toHaveBeenCalled();
  });

  it('picks one user, the same each time, when several claim a login, and warns', async () => {
    const { resolver, logger } = resolverOver([
      catalogUser('user:default/zed', { login: 'twin' }),
      catalogUser('user:default/ann', {
        login: 'twin',
        memberOf: ['group:default/a'],
      }),
    ]);
    expect((await resolver.resolve(['twin'])).get('twin')?.user).toBe(
      'user:default/ann',
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /Several catalog users claim the GitHub login twin/,
      ),
    );
  });

  it('fails when the catalog cannot answer, so the caller keeps what it had', async () => {
    const catalog = catalogServiceMock.mock({
      getEntities: jest.fn(async () => {
        throw new ServiceUnavailableError('catalog is down');
      }),
    });
    const resolver = new CatalogForgeIdentityResolver(
      catalog,
      mockServices.auth(),
    );
    await expect(resolver.resolve(['octocat'])).rejects.toThrow(
      'catalog is down',
    );
  });
});
