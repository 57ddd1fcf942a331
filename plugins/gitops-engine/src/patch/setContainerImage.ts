import { EngineError } from '../errors';
import { openDocument } from './openDocument';
import type { PathSegment } from './parsePath';
import { setValue, type PatchOptions } from './setValue';

/** Where each workload kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const TEMPLATE_POD_SPEC = ['spec', 'template', 'spec'];

/**
 * Sets the image of container `container` (or of the init container of that name) in the workload
 * `{kind, name}` of a multi-document file. Never adds a container: a missing one is `PATCH_TARGET_NOT_FOUND`.
 */
export function setContainerImage(
  text: string,
  workload: { kind: string; name: string; namespace?: string },
  container: string,
  image: string,
  options: PatchOptions = {},
): string {
  // Fails first on a missing workload, so "no such container" below means just that.
  openDocument(text, workload, options.file);
  const podSpec = POD_SPEC_PATHS[workload.kind] ?? TEMPLATE_POD_SPEC;
  for (const list of ['containers', 'initContainers']) {
    const path: PathSegment[] = [
      ...podSpec.map(key => ({ type: 'key' as const, key })),
      { type: 'key', key: list },
      { type: 'match', key: 'name', value: container },
      { type: 'key', key: 'image' },
    ];
    try {
      return setValue(text, workload, path, image, {
        ...options,
        create: false,
      });
    } catch (error) {
      if (
        !(error instanceof EngineError) ||
        error.code !== 'PATCH_TARGET_NOT_FOUND'
      ) {
        throw error;
      }
    }
  }
  throw new EngineError(
    'PATCH_TARGET_NOT_FOUND',
    `${workload.kind} ${workload.name} has no container named ${JSON.stringify(
      container,
    )}`,
    {
      file: options.file,
      path: `${podSpec.join('.')}.containers[name=${container}]`,
    },
  );
}
