import type { ApplicationStatus } from '@backstage-gitops/plugin-gitops-common';
import { shopApiFixtures } from '../../__testUtils__/shopApiFixtures';
import { describeLag, imagesOf } from './environmentFacts';

describe('imagesOf', () => {
  it("takes Git's image of each drifted container, never a sensitive value", () => {
    const { devDetail } = shopApiFixtures();
    const [deployment, ...rest] = devDetail.resources;
    const detail = {
      ...devDetail,
      resources: [
        {
          ...deployment,
          drifts: [
            ...deployment.drifts,
            {
              path: 'spec.template.spec.initContainers[name=migrate].image',
              type: 'changed' as const,
              desired: 'ghcr.io/acme/shop-migrate:1.4.2',
              live: 'ghcr.io/acme/shop-migrate:1.4.1',
              firstSeenAt: new Date().toISOString(),
            },
            {
              path: 'spec.template.spec.containers[name=sidecar].image',
              type: 'changed' as const,
              sensitive: true,
              desired: 'should-not-show',
              firstSeenAt: new Date().toISOString(),
            },
          ],
        },
        ...rest,
      ],
    };

    expect(imagesOf(detail)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2',
      'migrate: ghcr.io/acme/shop-migrate:1.4.2',
    ]);
  });

  it('finds nothing when no image drifted', () => {
    const { devDetail } = shopApiFixtures();
    expect(
      imagesOf({
        ...devDetail,
        resources: devDetail.resources.map(r => ({ ...r, drifts: [] })),
      }),
    ).toEqual([]);
  });
});

describe('describeLag', () => {
  const { status } = shopApiFixtures();
  const [dev] = status.applications;
  const at = (sha: string, committedAt?: string): ApplicationStatus => ({
    ...dev,
    application: { ...dev.application, environment: 'prod' },
    revision: { sha, committedAt },
  });
  const first: ApplicationStatus = {
    ...dev,
    revision: { sha: 'aaa', committedAt: '2026-11-20T12:00:00Z' },
  };

  it.each([
    [at('aaa', '2026-11-20T12:00:00Z'), 'Same revision as dev'],
    [at('bbb', '2026-11-20T09:00:00Z'), '3h behind dev'],
    [at('bbb', '2026-11-17T12:00:00Z'), '3d behind dev'],
    [at('bbb', '2026-11-20T12:30:00Z'), 'Newer revision than dev'],
    [at('bbb'), 'Other revision than dev'],
    [{ ...dev, revision: undefined }, 'Revision unknown'],
  ])('case %#', (trailing, expected) => {
    expect(describeLag(first, trailing)).toBe(expected);
  });
});
