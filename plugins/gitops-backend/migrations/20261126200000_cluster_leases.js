// @ts-check

/**
 * Replicas on one PostgreSQL share the clusters: each cluster is held by at most one replica at a time, by
 * a lease it renews; replicas announce themselves with a heartbeat so each can compute its fair share.
 * Expiry times are the database's clock, so replicas' clocks never need to agree.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_cluster_leases', table => {
    table.comment(
      'Which replica watches, reconciles and syncs each cluster, until when',
    );
    table.string('cluster', 255).primary().notNullable();
    table
      .string('holder', 255)
      .nullable()
      .comment('Replica id holding the lease; null when released');
    table
      .timestamp('expires_at', { useTz: true })
      .nullable()
      .comment('The lease is free to claim after this time (database clock)');
    table
      .timestamp('acquired_at', { useTz: true })
      .nullable()
      .comment('When the current holder claimed it');
  });

  await knex.schema.createTable('gitops_replicas', table => {
    table.comment(
      'Backend replicas sharing this database, each alive while its heartbeat is fresh',
    );
    table.string('replica_id', 255).primary().notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('Counted as alive until this time (database clock)');
    table.index('expires_at', 'gitops_replicas_expires_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_replicas');
  await knex.schema.dropTable('gitops_cluster_leases');
};
