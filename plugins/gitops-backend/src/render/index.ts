export {
  ApplicationRenderer,
  type ApplicationRendererOptions,
  type RenderTree,
  type RenderedApplication,
} from './ApplicationRenderer';
export { detectRenderer } from './detectRenderer';
export { helmDependencies } from './helmDependencies';
export {
  KUSTOMIZATION_FILES,
  kustomizeDependencies,
} from './kustomizeDependencies';
export type { ReadTreeFile } from './readTreeFile';
