// @ts-check

/**
 * The container images Git declares for each workload resource, so the environment matrix shows which image
 * runs where, not only the drifted ones. Nullable: rows of other kinds, and rows written before this
 * migration until their application's next verdict, have none.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_resources', table => {
    table
      .text('images')
      .nullable()
      .comment(
        'ResourceImage[] as JSON: the container images of the desired pod template',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_resources', table => {
    table.dropColumn('images');
  });
};
