import type {
  ApplicationDetailResponse,
  ApplicationStatus,
  ResourceStatus,
} from '@backstage-gitops/plugin-gitops-common';
import { formatAge } from '../format/formatAge';

/** A container's image in a drift path; the name is quoted only when it is not a plain word. */
const CONTAINER_IMAGE =
  /(?:^|\.)(initC|c)ontainers\[name=("(?:[^"\\]|\\.)*"|[^\]]+)\]\.image$/;

interface ImageDrift {
  container: string;
  desired?: string;
  live?: string;
}

function containerKey(container: string, init: boolean | undefined): string {
  return `${init ? 'init' : 'main'}\u0000${container}`;
}

function containerName(text: string): string | undefined {
  if (!text.startsWith('"')) return text;
  try {
    const name: unknown = JSON.parse(text);
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The image drifts of a resource by container; a Secret-marked drift is never read. */
function imageDrifts(resource: ResourceStatus): Map<string, ImageDrift> {
  const drifts = new Map<string, ImageDrift>();
  for (const drift of resource.drifts) {
    if (drift.sensitive) continue;
    const match = CONTAINER_IMAGE.exec(drift.path);
    const container = match ? containerName(match[2]) : undefined;
    if (!match || container === undefined) continue;
    const key = containerKey(container, match[1] === 'initC');
    drifts.set(key, {
      container,
      ...(typeof drift.desired === 'string' && { desired: drift.desired }),
      ...(typeof drift.live === 'string' && { live: drift.live }),
    });
  }
  return drifts;
}

function describeImage(container: string, image: string, live?: string) {
  return live !== undefined && live !== image
    ? `${container}: ${image} (live: ${live})`
    : `${container}: ${image}`;
}

/**
 * The images an application's resources run, as `container: image`: Git's value (the resource's `images`),
 * followed by ` (live: image)` when the cluster runs another one. A resource the backend reports no images
 * for (an older backend) still shows the images of its drifted containers, from the drift.
 */
export function imagesOf(detail: ApplicationDetailResponse): string[] {
  const images = new Set<string>();
  for (const resource of detail.resources) {
    const drifts = imageDrifts(resource);
    for (const image of resource.images ?? []) {
      const key = containerKey(image.container, image.init);
      images.add(
        describeImage(image.container, image.image, drifts.get(key)?.live),
      );
      drifts.delete(key);
    }
    for (const drift of drifts.values()) {
      if (drift.desired === undefined) continue;
      images.add(describeImage(drift.container, drift.desired, drift.live));
    }
  }
  return [...images];
}

/** How far an environment's deployed revision trails the first environment's, by commit time. */
export function describeLag(
  first: ApplicationStatus,
  status: ApplicationStatus,
): string {
  const reference = first.application.environment;
  if (!first.revision || !status.revision) return 'Revision unknown';
  if (first.revision.sha === status.revision.sha) {
    return `Same revision as ${reference}`;
  }
  const firstAt = Date.parse(first.revision.committedAt ?? '');
  const thisAt = Date.parse(status.revision.committedAt ?? '');
  if (Number.isNaN(firstAt) || Number.isNaN(thisAt)) {
    return `Other revision than ${reference}`;
  }
  if (thisAt >= firstAt) return `Newer revision than ${reference}`;
  return `${formatAge(
    status.revision.committedAt!,
    firstAt,
  )} behind ${reference}`;
}
