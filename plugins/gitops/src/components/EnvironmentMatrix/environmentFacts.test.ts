import type {
  ApplicationDetailResponse,
  ApplicationStatus,
  DriftRecord,
  ResourceStatus,
} from '@backstage-gitops/plugin-gitops-common';
import { shopApiFixtures } from '../../__testUtils__/shopApiFixtures';
import { describeLag, imagesOf } from './environmentFacts';

const SEEN = '2026-11-26T12:00:00.000Z';

const GROUPS: Record<string, string> = { Pod: '', CronJob: 'batch' };

function resource(
  kind: string,
  name: string,
  options: Partial<ResourceStatus> = {},
): ResourceStatus {
  return {
    ref: {
      group: GROUPS[kind] ?? 'apps',
      kind,
      namespace: 'shop-dev',
      name,
    },
    apiVersion: 'v1',
    sync: 'Synced',
    drifts: [],
    ...options,
  };
}

function imageDrift(
  path: string,
  desired: string | undefined,
  live: string | undefined,
  extra: Partial<DriftRecord> = {},
): DriftRecord {
  return {
    path,
    type: 'changed',
    ...(desired !== undefined && { desired }),
    ...(live !== undefined && { live }),
    firstSeenAt: SEEN,
    ...extra,
  };
}

function detailOf(resources: ResourceStatus[]): ApplicationDetailResponse {
  return { ...shopApiFixtures().devDetail, resources };
}

describe('imagesOf', () => {
  it("shows Git's image of every workload container, and the live one where the cluster runs another", () => {
    expect(imagesOf(shopApiFixtures().devDetail)).toEqual([
      'web: ghcr.io/acme/shop-api:1.4.2 (live: ghcr.io/acme/shop-api:9.9.9)',
    ]);

    expect(
      imagesOf(
        detailOf([
          resource('Deployment', 'shop-api', {
            images: [
              { container: 'web', image: 'shop-api:1.4.2' },
              { container: 'proxy', image: 'envoy:1.30' },
              { container: 'migrate', image: 'shop-migrate:1.4.2', init: true },
            ],
            drifts: [
              imageDrift(
                'spec.template.spec.initContainers[name=migrate].image',
                'shop-migrate:1.4.2',
                'shop-migrate:1.4.1',
              ),
              imageDrift('spec.replicas', undefined, undefined),
            ],
          }),
          resource('CronJob', 'report', {
            images: [{ container: 'report', image: 'shop-report:2.0.0' }],
            drifts: [
              imageDrift(
                'spec.jobTemplate.spec.template.spec.containers[name=report].image',
                'shop-report:2.0.0',
                'shop-report:1.9.0',
              ),
            ],
          }),
          resource('Pod', 'debug', {
            images: [{ container: 'shell', image: 'busybox:1.36' }],
            drifts: [
              imageDrift(
                'spec.containers[name=shell].image',
                'busybox:1.36',
                'busybox:1.37',
              ),
            ],
          }),
          resource('Service', 'shop-api'),
        ]),
      ),
    ).toEqual([
      'web: shop-api:1.4.2',
      'proxy: envoy:1.30',
      'migrate: shop-migrate:1.4.2 (live: shop-migrate:1.4.1)',
      'report: shop-report:2.0.0 (live: shop-report:1.9.0)',
      'shell: busybox:1.36 (live: busybox:1.37)',
    ]);
  });

  it('tells an init container from a container of the same name', () => {
    expect(
      imagesOf(
        detailOf([
          resource('Deployment', 'shop-api', {
            images: [
              { container: 'web', image: 'shop-api:1.4.2' },
              { container: 'web', image: 'shop-migrate:1.4.2', init: true },
            ],
            drifts: [
              imageDrift(
                'spec.template.spec.initContainers[name=web].image',
                'shop-migrate:1.4.2',
                'shop-migrate:1.4.1',
              ),
            ],
          }),
        ]),
      ),
    ).toEqual([
      'web: shop-api:1.4.2',
      'web: shop-migrate:1.4.2 (live: shop-migrate:1.4.1)',
    ]);
  });

  it('never shows the values of a Secret-marked drift', () => {
    const images = imagesOf(
      detailOf([
        resource('Deployment', 'shop-api', {
          images: [{ container: 'web', image: 'shop-api:1.4.2' }],
          drifts: [
            imageDrift(
              'spec.template.spec.containers[name=web].image',
              'should-not-show-desired',
              'should-not-show-live',
              { sensitive: true },
            ),
            imageDrift(
              'spec.template.spec.containers[name=sidecar].image',
              'should-not-show-desired',
              'should-not-show-live',
              { sensitive: true },
            ),
          ],
        }),
      ]),
    );
    expect(images).toEqual(['web: shop-api:1.4.2']);
    expect(images.join()).not.toMatch(/should-not-show/);
  });

  it('still shows the drifted images of a resource the backend reports no images for', () => {
    expect(
      imagesOf(
        detailOf([
          resource('Deployment', 'shop-api', {
            drifts: [
              imageDrift(
                'spec.template.spec.containers[name=web].image',
                'shop-api:1.4.2',
                'shop-api:9.9.9',
              ),
              imageDrift(
                'spec.template.spec.initContainers[name="odd name"].image',
                'shop-migrate:1.4.2',
                'shop-migrate:1.4.2',
              ),
              // Added in the cluster only: Git declares no image to show.
              imageDrift(
                'spec.template.spec.containers[name=debug].image',
                undefined,
                'busybox:1.36',
                { type: 'added-in-live' },
              ),
            ],
          }),
        ]),
      ),
    ).toEqual([
      'web: shop-api:1.4.2 (live: shop-api:9.9.9)',
      'odd name: shop-migrate:1.4.2',
    ]);
  });

  it('lists an image that several resources declare once', () => {
    const image = { container: 'web', image: 'shop-api:1.4.2' };
    expect(
      imagesOf(
        detailOf([
          resource('Deployment', 'shop-api', { images: [image] }),
          resource('ReplicaSet', 'shop-api-5d9f', { images: [image] }),
        ]),
      ),
    ).toEqual(['web: shop-api:1.4.2']);
  });

  it('finds nothing for resources that declare no images', () => {
    const { devDetail } = shopApiFixtures();
    expect(
      imagesOf({
        ...devDetail,
        resources: devDetail.resources.map(({ images: _images, ...r }) => ({
          ...r,
          drifts: [],
        })),
      }),
    ).toEqual([]);
    expect(imagesOf(detailOf([]))).toEqual([]);
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
