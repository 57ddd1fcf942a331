export {
  renderDirectory,
  type RenderOptions,
  type RenderResult,
  type Renderer,
} from './renderDirectory';
export {
  readPlainDirectory,
  type PlainDirectoryLimits,
} from './readPlainDirectory';
export { resolveInside } from './resolveInside';
