import knexFactory, { type Knex } from 'knex';
import { cacheSqliteStatements } from './sqliteStatementCache';

describe('cacheSqliteStatements', () => {
  let knex: Knex;
  let prepared: string[];

  beforeEach(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    await knex.schema.createTable('t', table => {
      table.string('name').primary();
      table.integer('n');
    });
    await knex('t').insert([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    cacheSqliteStatements(knex);
    cacheSqliteStatements(knex);
    // Count the prepares that reach SQLite.
    prepared = [];
    const connection = await (knex.client as any).acquireConnection();
    const prepare = connection.prepare.bind(connection);
    connection.prepare = (sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    };
    await (knex.client as any).releaseConnection(connection);
  });

  afterEach(async () => {
    await knex.destroy();
  });

  it('prepares a query once and answers from the same statement with new bindings', async () => {
    for (const name of ['a', 'b', 'a', 'missing']) {
      const rows = await knex('t').where({ name }).select('n');
      expect(rows).toEqual(
        name === 'missing' ? [] : [{ n: name === 'a' ? 1 : 2 }],
      );
    }
    expect(prepared).toEqual(['select `n` from `t` where `name` = ?']);
  });

  it('sees writes, transactions and schema changes', async () => {
    const read = () => knex('t').orderBy('name');
    expect(await read()).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 2 },
    ]);
    await knex.transaction(async tx => {
      await tx('t').insert({ name: 'c', n: 3 });
      await tx('t').where({ name: 'a' }).update({ n: 10 });
    });
    await expect(
      knex.transaction(async tx => {
        await tx('t').insert({ name: 'd', n: 4 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await knex.schema.alterTable('t', table => table.string('extra'));
    expect(await read()).toEqual([
      { name: 'a', n: 10, extra: null },
      { name: 'b', n: 2, extra: null },
      { name: 'c', n: 3, extra: null },
    ]);
  });

  it('leaves a connection with safe integers on alone', async () => {
    const safe = knexFactory({
      client: 'better-sqlite3',
      connection: {
        filename: ':memory:',
        options: { safeIntegers: true },
      } as any,
      useNullAsDefault: true,
    });
    const before = (safe.client as any)._query;
    cacheSqliteStatements(safe);
    expect((safe.client as any)._query).toBe(before);
    await safe.destroy();
  });

  it('leaves other clients alone', () => {
    const pg = knexFactory({ client: 'pg' });
    const before = (pg.client as any)._query;
    cacheSqliteStatements(pg);
    expect((pg.client as any)._query).toBe(before);
  });
});
