import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import { Alert } from '@backstage/ui';
import { formatAge } from '../format/formatAge';

const HEADLINES: Record<
  NonNullable<ApplicationStatus['problem']>['code'],
  (app: ApplicationStatus) => string
> = {
  CLUSTER_UNREACHABLE: app =>
    `Cluster ${app.application.destination.cluster} unreachable`,
  RENDER_FAILED: () => 'Manifests failed to render',
  REPO_UNREACHABLE: () => 'Config repo unreachable',
  INVALID_APPLICATION: () => 'Invalid application',
  INVALID_MANIFEST: () => 'Invalid manifest',
};

/** Why an application's status cannot be trusted right now; what is shown is the last known state. */
export function ProblemBanner(props: {
  status: ApplicationStatus;
  now: number;
}) {
  const { status, now } = props;
  const { problem } = status;
  if (!problem) return null;
  const headline = HEADLINES[problem.code]?.(status) ?? problem.code;
  const observed = status.observedAt
    ? `, last observed ${formatAge(status.observedAt, now)} ago`
    : '';
  return (
    <Alert
      status="warning"
      icon
      title={`${status.application.environment}: ${headline} since ${formatAge(
        problem.since,
        now,
      )} ago`}
      description={`${problem.message.replace(
        /\.$/,
        '',
      )}. Showing the last known state${observed}.`}
    />
  );
}
