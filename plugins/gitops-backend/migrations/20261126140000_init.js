// @ts-check

/**
 * Sorted columns compare byte-wise on PostgreSQL too (SQLite's default), so order and pagination match whatever the server's collation.
 *
 * @param {import('knex').Knex} knex
 * @param {import('knex').Knex.CreateTableBuilder} table
 * @param {string} name
 * @param {number} length
 */
function orderedString(knex, table, name, length) {
  return knex.client.dialect === 'postgresql'
    ? table.specificType(name, `varchar(${length}) collate "C"`)
    : table.string(name, length);
}

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_applications', table => {
    table.comment(
      'Applications declared in config repos, with their latest verdict',
    );
    orderedString(knex, table, 'name', 255).primary().notNullable();
    table
      .string('repo', 255)
      .notNullable()
      .comment('Id of the config repo that declares it');
    orderedString(knex, table, 'entity_ref', 255)
      .notNullable()
      .comment('Normalized, lower-case catalog entity ref');
    orderedString(knex, table, 'environment', 255).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.text('spec').notNullable().comment('ApplicationSpec as JSON');
    table.text('declared_in').notNullable();
    table.string('owner', 255).nullable().comment('From the catalog entity');
    table.string('system', 255).nullable().comment('From the catalog entity');
    table.string('sync', 32).notNullable().defaultTo('Unknown');
    table.string('health', 32).notNullable().defaultTo('Unknown');
    table.text('health_message').nullable();
    table.text('revision').nullable().comment('Revision as JSON');
    table.integer('drift_count').notNullable().defaultTo(0);
    orderedString(knex, table, 'drift_since', 32).nullable();
    orderedString(knex, table, 'changed_at', 32).nullable();
    orderedString(knex, table, 'observed_at', 32).nullable();
    orderedString(knex, table, 'synced_at', 32).nullable();
    table
      .text('problem')
      .nullable()
      .comment('StatusProblem as JSON; set while the verdict is stale');
    table
      .text('resource_counts')
      .notNullable()
      .comment('Resources per sync status, as JSON');
    table.index('entity_ref', 'gitops_applications_entity_ref_idx');
    table.index('repo', 'gitops_applications_repo_idx');
    table.index('cluster', 'gitops_applications_cluster_idx');
    table.index('owner', 'gitops_applications_owner_idx');
    table.index('system', 'gitops_applications_system_idx');
    table.index('environment', 'gitops_applications_environment_idx');
  });

  await knex.schema.createTable('gitops_resources', table => {
    table.comment(
      'The resources of each application with their latest verdict and drift',
    );
    orderedString(knex, table, 'application', 255).notNullable();
    orderedString(knex, table, 'resource_key', 1024)
      .notNullable()
      .comment('group/kind/namespace/name');
    table.string('api_version', 255).notNullable();
    table.string('sync', 32).notNullable();
    table.string('health', 32).nullable();
    table.text('health_message').nullable();
    table.text('drifts').notNullable().comment('DriftRecord[] as JSON');
    table.primary(['application', 'resource_key'], 'gitops_resources_pkey');
  });

  await knex.schema.createTable('gitops_history', table => {
    table.comment(
      'Changes of application verdicts; kept when an application is removed',
    );
    table.bigIncrements('id').primary();
    orderedString(knex, table, 'application', 255).notNullable();
    orderedString(knex, table, 'at', 32).notNullable();
    table.string('sync', 32).notNullable();
    table.string('health', 32).notNullable();
    table.string('revision', 255).nullable().comment('Commit sha');
    table.integer('drift_count').notNullable();
    table.text('reason').nullable();
    table.index(
      ['application', 'at', 'id'],
      'gitops_history_application_at_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_history');
  await knex.schema.dropTable('gitops_resources');
  await knex.schema.dropTable('gitops_applications');
};
