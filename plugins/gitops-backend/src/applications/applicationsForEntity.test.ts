import type { Entity } from '@backstage/catalog-model';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import {
  applicationsForEntity,
  applicationsListedBy,
} from './applicationsForEntity';

function app(
  name: string,
  entityRef: string,
  declaredIn: string,
): ApplicationSpec {
  return {
    name,
    entityRef,
    environment: 'dev',
    source: { repo: 'config', path: `apps/${name}`, renderer: 'auto' },
    destination: { cluster: 'local', namespace: name },
    syncPolicy: { automated: false, prune: false, selfHeal: false },
    declaredIn,
  };
}

function entity(name: string, annotation?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      ...(annotation
        ? { annotations: { 'gitops.backstage.io/applications': annotation } }
        : {}),
    },
  };
}

const APPLICATIONS = [
  app(
    'shop-api-dev',
    'component:default/shop-api',
    'applications/shop-api.yaml',
  ),
  app(
    'shop-api-prod',
    'component:default/shop-api',
    'applications/shop-api.yaml',
  ),
  app('ledger-dev', 'component:default/ledger', 'applications/ledger.yaml'),
  app('legacy-batch', 'component:default/legacy', 'applications/legacy.yaml'),
];

describe('applicationsForEntity', () => {
  it('finds applications by their spec.entityRef', () => {
    expect(
      applicationsForEntity(entity('shop-api'), APPLICATIONS).map(a => a.name),
    ).toEqual(['shop-api-dev', 'shop-api-prod']);
  });

  it('adds applications the annotation lists by name or file, once each', () => {
    expect(
      applicationsForEntity(
        entity(
          'ledger',
          ' legacy-batch , ./applications/shop-api.yaml, ledger-dev,,',
        ),
        APPLICATIONS,
      ).map(a => a.name),
    ).toEqual(['shop-api-dev', 'shop-api-prod', 'ledger-dev', 'legacy-batch']);
  });

  it('finds nothing for an entity no application names', () => {
    expect(applicationsForEntity(entity('unknown'), APPLICATIONS)).toEqual([]);
  });

  it('lists only what the annotation names, for the links a refresh stores', () => {
    expect(
      applicationsListedBy(
        'shop-api-prod, applications/ledger.yaml',
        APPLICATIONS,
      ).map(a => a.name),
    ).toEqual(['shop-api-prod', 'ledger-dev']);
    expect(applicationsListedBy(undefined, APPLICATIONS)).toEqual([]);
    expect(applicationsListedBy(' , ', APPLICATIONS)).toEqual([]);
  });
});
