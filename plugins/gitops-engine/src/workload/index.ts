export { containerImagesOf } from './containerImages';
export type { ContainerImage } from './containerImages';
