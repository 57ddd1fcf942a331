// @ts-check

/**
 * Entities that claim applications through the `gitops.backstage.io/applications` annotation, so an entity
 * page finds them with one indexed query instead of asking the catalog.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_entity_links', table => {
    table.comment(
      'Applications a catalog entity lists in its gitops.backstage.io/applications annotation',
    );
    const ordered = (/** @type {string} */ name) =>
      knex.client.dialect === 'postgresql'
        ? table.specificType(name, 'varchar(255) collate "C"')
        : table.string(name, 255);
    ordered('entity_ref')
      .notNullable()
      .comment('Normalized, lower-case catalog entity ref');
    ordered('application').notNullable();
    table
      .string('repo', 255)
      .notNullable()
      .comment('Id of the config repo whose refresh wrote the link');
    table.primary(['entity_ref', 'application'], 'gitops_entity_links_pkey');
    table.index('entity_ref', 'gitops_entity_links_entity_ref_idx');
    table.index('repo', 'gitops_entity_links_repo_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_entity_links');
};
