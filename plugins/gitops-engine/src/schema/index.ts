export type { ListType, ScalarFormat, SchemaNode } from './SchemaNode';
export { GENERIC_NODE, childNode, itemNode } from './SchemaNode';
export {
  DURATION,
  IGNORED,
  INT_OR_STRING,
  QUANTITY,
  QUANTITY_MAP,
  atomicList,
  mapList,
  mapOf,
  schemaNode,
  setList,
  struct,
} from './schemaBuilders';
export { BUILTIN_KINDS, POD_SPEC, POD_TEMPLATE } from './builtinKinds';
export type { BuiltinKind } from './builtinKinds';
export { SchemaRegistry } from './SchemaRegistry';
export type { KindDefinition, KindSchema } from './SchemaRegistry';
export {
  kindsFromCustomResourceDefinition,
  kindsFromOpenApiV3,
} from './kindsFromOpenApi';
export type {
  OpenApiImportOptions,
  OpenApiV3Document,
} from './kindsFromOpenApi';
