export {
  setValue,
  type PatchOptions,
  type PatchPath,
  type SetValueOptions,
} from './setValue';
export { removeValue } from './removeValue';
export { setContainerImage } from './setContainerImage';
export {
  setKustomizeImage,
  type KustomizeImageChange,
} from './setKustomizeImage';
export { setHelmValue, parseHelmPath } from './setHelmValue';
export { parsePath, formatPath, type PathSegment } from './parsePath';
export type { DocumentTarget } from './openDocument';
export type { FragmentValue } from './renderFragment';
export type { ScalarValue } from './formatScalar';
