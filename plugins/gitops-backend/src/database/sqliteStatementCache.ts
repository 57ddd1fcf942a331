import type { Knex } from 'knex';

/** The part of a better-sqlite3 statement this cache touches. */
interface Statement {
  safeIntegers(on?: boolean): unknown;
}

/** The part of a better-sqlite3 database this cache touches. */
interface Connection {
  prepare(sql: string): Statement;
}

/** The part of knex's better-sqlite3 client this cache wraps. */
interface BetterSqliteClient {
  driverName?: string;
  config?: { connection?: { options?: { safeIntegers?: boolean } } };
  _query?: (connection: Connection, query: unknown) => Promise<unknown>;
}

const STATEMENTS_PER_CONNECTION = 256;
const cached = new WeakSet<object>();

/**
 * Keeps compiled statements per SQLite connection. knex prepares every query again, and for a read
 * such as an entity's status, preparing cost about ten times running it. A statement is reused only
 * for the same SQL text; SQLite recompiles it by itself after a schema change. Any other database
 * client is left as it is.
 */
export function cacheSqliteStatements(knex: Knex): void {
  const client = knex.client as BetterSqliteClient;
  if (
    client.driverName !== 'better-sqlite3' ||
    typeof client._query !== 'function'
  )
    return;
  // A reused statement is reset to safe integers off, the driver's default; a connection that turns them on
  // keeps knex's own behaviour.
  if (client.config?.connection?.options?.safeIntegers) return;
  if (cached.has(client)) return;
  cached.add(client);
  const query = client._query;
  const proxies = new WeakMap<Connection, Connection>();
  client._query = function queryWithCachedStatements(connection, obj) {
    let proxy = proxies.get(connection);
    if (!proxy) {
      proxy = withStatementCache(connection);
      proxies.set(connection, proxy);
    }
    return query.call(this, proxy, obj);
  };
}

function withStatementCache(connection: Connection): Connection {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (statement) {
      // Most recently used last, so the first key is the one to evict.
      statements.delete(sql);
      // knex turns safe integers on per query when asked; back to the default for a query that does not ask.
      statement.safeIntegers(false);
    } else {
      statement = connection.prepare(sql);
      if (statements.size >= STATEMENTS_PER_CONNECTION) {
        statements.delete(statements.keys().next().value!);
      }
    }
    statements.set(sql, statement);
    return statement;
  };
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
