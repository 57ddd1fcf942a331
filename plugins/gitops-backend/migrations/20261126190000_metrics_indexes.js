// @ts-check

/**
 * Indexes for delivery metrics and the audit log, so each reads only its time range: verdict changes by
 * time across applications, change requests by last update, manual syncs by start.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_history', table => {
    table.index(['at', 'id'], 'gitops_history_at_idx');
  });
  await knex.schema.alterTable('gitops_change_requests', table => {
    table.index(['updated_at', 'id'], 'gitops_change_requests_updated_idx');
  });
  await knex.schema.alterTable('gitops_sync_runs', table => {
    table.index(
      ['trigger', 'started_at', 'id'],
      'gitops_sync_runs_trigger_started_at_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_sync_runs', table => {
    table.dropIndex([], 'gitops_sync_runs_trigger_started_at_idx');
  });
  await knex.schema.alterTable('gitops_change_requests', table => {
    table.dropIndex([], 'gitops_change_requests_updated_idx');
  });
  await knex.schema.alterTable('gitops_history', table => {
    table.dropIndex([], 'gitops_history_at_idx');
  });
};
