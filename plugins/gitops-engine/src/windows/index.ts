export type { ChangeWindow, ChangeWindowEvaluation } from './ChangeWindow';
export {
  describeChangeWindow,
  evaluateChangeWindows,
  validateChangeWindows,
} from './evaluateChangeWindows';
export { parseWindowDuration } from './parseWindowDuration';
