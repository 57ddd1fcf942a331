import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { cacheSqliteStatements } from './sqliteStatementCache';

const MIGRATIONS_DIRECTORY = resolvePackagePath(
  '@backstage-gitops/plugin-gitops-backend',
  'migrations',
);

// Per client: every store of the plugin asks at start-up, and the schema needs migrating only once.
const migrations = new WeakMap<Knex, Promise<void>>();

/** The plugin's database client, migrated to the latest schema (unless migrations are skipped). */
export async function migratedClient(
  database: Pick<DatabaseService, 'getClient' | 'migrations'>,
  options: { skipMigrations?: boolean } = {},
): Promise<Knex> {
  const client = await database.getClient();
  cacheSqliteStatements(client);
  if (options.skipMigrations || database.migrations?.skip) return client;
  let done = migrations.get(client);
  if (!done) {
    done = client.migrate
      .latest({ directory: MIGRATIONS_DIRECTORY })
      .then(() => undefined);
    migrations.set(client, done);
    // A failed run is not remembered: the next store retries it.
    done.catch(() => migrations.delete(client));
  }
  await done;
  return client;
}
