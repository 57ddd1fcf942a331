export {
  compactLiveObject,
  expandLiveObject,
  isCompactLiveObject,
} from './compactLiveObject';
export type { CompactLiveObject, CompactOptions } from './compactLiveObject';
export { fieldsFromObject } from './fieldsFromObject';
export { lastAppliedFields } from './lastAppliedFields';
