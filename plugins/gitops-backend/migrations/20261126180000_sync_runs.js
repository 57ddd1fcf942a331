// @ts-check

/**
 * The history of syncs: one row per run of one application, with what it did to each resource.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_sync_runs', table => {
    table.comment(
      'Syncs of applications to their clusters, newest kept as history',
    );
    // Sorted columns compare byte-wise on PostgreSQL too, so order and pagination match SQLite's.
    const ordered = (
      /** @type {string} */ name,
      /** @type {number} */ length,
    ) =>
      knex.client.dialect === 'postgresql'
        ? table.specificType(name, `varchar(${length}) collate "C"`)
        : table.string(name, length);
    ordered('id', 64).primary().notNullable();
    ordered('application', 255).notNullable();
    table
      .string('trigger', 32)
      .notNullable()
      .comment('automated, self-heal or manual');
    table
      .string('requested_by', 255)
      .nullable()
      .comment('Who asked, for a manual sync');
    table.string('revision', 255).nullable().comment('Config repo commit sha');
    ordered('started_at', 32).notNullable();
    ordered('finished_at', 32).nullable();
    table
      .string('result', 32)
      .notNullable()
      .comment('running, succeeded, failed or skipped');
    table.text('message').nullable();
    table
      .text('resources')
      .notNullable()
      .comment('SyncResourceResult[] as JSON');
    table.index(
      ['application', 'started_at', 'id'],
      'gitops_sync_runs_application_started_at_idx',
    );
    table.index(['result'], 'gitops_sync_runs_result_idx');
  });
  // At most one running sync per application, whichever replica started it.
  await knex.raw(
    `CREATE UNIQUE INDEX gitops_sync_runs_one_running_idx ON gitops_sync_runs (application) WHERE result = 'running'`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_sync_runs');
};
