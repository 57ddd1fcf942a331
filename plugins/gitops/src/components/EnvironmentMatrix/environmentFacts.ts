import type {
  ApplicationDetailResponse,
  ApplicationStatus,
} from '@backstage-gitops/plugin-gitops-common';
import { formatAge } from '../format/formatAge';

const CONTAINER_IMAGE = /(?:^|\.)(?:initC|c)ontainers\[name=([^\]]+)\]\.image$/;

/**
 * The images an application's resources name, as `container: image`, with Git's value first. The contract
 * reports images only where they drifted, so this is empty for an application that matches Git.
 */
export function imagesOf(detail: ApplicationDetailResponse): string[] {
  const images = new Set<string>();
  for (const resource of detail.resources) {
    for (const drift of resource.drifts) {
      const match = CONTAINER_IMAGE.exec(drift.path);
      if (!match || drift.sensitive) continue;
      if (typeof drift.desired === 'string') {
        images.add(`${match[1]}: ${drift.desired}`);
      }
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
