export { createGitOpsCatalogColumns } from './createGitOpsCatalogColumns';
