export {
  parseYaml,
  DEFAULT_YAML_LIMITS,
  type ParseYamlOptions,
  type YamlDocument,
  type YamlLimits,
} from './parseYaml';
export { parseManifests, type ParseManifestsOptions } from './parseManifests';
export { validateManifest, type LocateField } from './validateManifest';
export { sourceOf, recordSource } from './sourceOf';
