import {
  HEALTH_ORDER,
  PRUNE_ANNOTATION,
  TRACKING_LABEL,
} from '@backstage-gitops/gitops-engine';
import {
  GITOPS_PRUNE_ANNOTATION,
  GITOPS_TRACKING_LABEL,
  HEALTH_STATUSES,
} from '@backstage-gitops/plugin-gitops-common';

// The engine has no Backstage dependencies, so it cannot import the contract: the two must agree by value.
describe('what the engine and the plugin contract share', () => {
  it('use one tracking label and one prune annotation', () => {
    expect(TRACKING_LABEL).toBe(GITOPS_TRACKING_LABEL);
    expect(PRUNE_ANNOTATION).toBe(GITOPS_PRUNE_ANNOTATION);
  });

  it('order health from best to worst the same way', () => {
    expect(HEALTH_ORDER).toEqual(HEALTH_STATUSES);
  });
});
