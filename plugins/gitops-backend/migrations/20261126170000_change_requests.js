// @ts-check

/**
 * Change requests: proposed config changes and their lifecycle, kept after they end (audit and DORA).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_change_requests', table => {
    table.comment('Change requests: a proposed config change, its PR and its lifecycle');
    table.string('id', 64).primary().notNullable();
    table.string('entity_ref', 255).notNullable().comment('Normalized, lower-case catalog entity ref');
    table.string('repo', 255).notNullable().comment('Id of the config repo it changes');
    table.string('state', 32).notNullable();
    table.string('requested_by', 255).notNullable();
    table
      .string('idempotency_key', 128)
      .nullable()
      .comment('Client key: a retried submit returns the request it created');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table
      .text('record')
      .notNullable()
      .comment('The ChangeRequest as JSON, with the proposed files');
    table.unique(['requested_by', 'idempotency_key'], {
      indexName: 'gitops_change_requests_idempotency_idx',
    });
    table.index(['entity_ref', 'created_at'], 'gitops_change_requests_entity_idx');
    table.index(['state'], 'gitops_change_requests_state_idx');
    table.index(['created_at'], 'gitops_change_requests_created_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_change_requests');
};
