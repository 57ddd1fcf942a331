import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const directory = resolvePackagePath(
  '@backstage-gitops/plugin-gitops-backend',
  'migrations',
);

const TABLES = [
  'gitops_applications',
  'gitops_resources',
  'gitops_history',
  'gitops_entity_links',
];

describe('migrations', () => {
  it.each(databases.eachSupportedId())(
    'migrate up to latest, down to nothing and up again, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const tables = async () =>
        Promise.all(TABLES.map(table => knex.schema.hasTable(table)));

      await knex.migrate.latest({ directory });
      expect(await tables()).toEqual(TABLES.map(() => true));
      expect(await knex.migrate.currentVersion({ directory })).not.toBe('none');

      await knex.migrate.rollback({ directory }, true);
      expect(await tables()).toEqual(TABLES.map(() => false));
      expect(await knex.migrate.currentVersion({ directory })).toBe('none');

      await knex.migrate.latest({ directory });
      expect(await tables()).toEqual(TABLES.map(() => true));
      // The schema after a round trip accepts what the store writes.
      await knex('gitops_history').insert({
        application: 'shop-api-dev',
        at: '2026-11-26T12:00:00.000Z',
        sync: 'Synced',
        health: 'Healthy',
        drift_count: 0,
      });
      expect(await knex('gitops_history').count({ count: '*' })).toEqual([
        { count: databaseId === 'SQLITE_3' ? 1 : '1' },
      ]);
      await knex('gitops_entity_links').insert({
        entity_ref: 'component:default/ledger',
        application: 'shop-api-dev',
        repo: 'platform-config',
      });
      // One link per entity and application (SQLite's error is not a jest-realm Error: compare outcomes).
      const duplicate = await knex('gitops_entity_links')
        .insert({
          entity_ref: 'component:default/ledger',
          application: 'shop-api-dev',
          repo: 'other-config',
        })
        .then(
          () => 'inserted',
          () => 'refused',
        );
      expect(duplicate).toBe('refused');
    },
  );

  it.each(databases.eachSupportedId())(
    'adds the resource images column and removes it again keeping the rows, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const name = '20261126210000_resource_images.js';
      const row = {
        application: 'shop-api-dev',
        resource_key: 'apps/Deployment/shop/web',
        api_version: 'apps/v1',
        sync: 'Synced',
        health: 'Healthy',
        health_message: null,
        drifts: '[]',
      };
      const images = '[{"container":"web","image":"shop-api:1.4.2"}]';
      const hasImages = () =>
        knex.schema.hasColumn('gitops_resources', 'images');

      await knex.migrate.latest({ directory });
      expect(await hasImages()).toBe(true);
      await knex('gitops_resources').insert({ ...row, images });
      expect(await knex('gitops_resources').select()).toEqual([
        { ...row, images },
      ]);

      await knex.migrate.down({ directory, name });
      expect(await hasImages()).toBe(false);
      expect(await knex('gitops_resources').select()).toEqual([row]);

      await knex.migrate.up({ directory, name });
      expect(await hasImages()).toBe(true);
      expect(await knex('gitops_resources').select()).toEqual([
        { ...row, images: null },
      ]);
      // Still one row per application and resource after SQLite rebuilt the table.
      const duplicate = await knex('gitops_resources')
        .insert(row)
        .then(
          () => 'inserted',
          () => 'refused',
        );
      expect(duplicate).toBe('refused');
    },
  );
});
