import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogEntityLookup } from './CatalogEntityLookup';

function component(
  name: string,
  annotations?: Record<string, string>,
  namespace?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      ...(namespace && { namespace }),
      ...(annotations && { annotations }),
    },
    spec: { owner: 'team-a', system: 'shop' },
  };
}

describe('CatalogEntityLookup', () => {
  it('lists the entities that carry the applications annotation, with its value', async () => {
    const catalog = catalogServiceMock({
      entities: [
        component('ledger', {
          'gitops.backstage.io/applications':
            'legacy-batch, applications/shop-api.yaml',
        }),
        component(
          'billing',
          { 'gitops.backstage.io/applications': 'billing-prod' },
          'finance',
        ),
        component('shop-api', { 'backstage.io/techdocs-ref': 'dir:.' }),
        component('plain'),
      ],
    });
    const lookup = new CatalogEntityLookup(catalog, mockServices.auth());

    const annotated = await lookup.annotatedEntities();
    expect(
      [...annotated].sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
    ).toEqual([
      {
        entityRef: 'component:default/ledger',
        annotation: 'legacy-batch, applications/shop-api.yaml',
      },
      { entityRef: 'component:finance/billing', annotation: 'billing-prod' },
    ]);
  });

  it('asks the catalog once, filtered on the annotation and for the few fields it needs', async () => {
    const catalog = catalogServiceMock.mock({
      getEntities: jest.fn(async () => ({ items: [] })),
    });
    const lookup = new CatalogEntityLookup(catalog, mockServices.auth());

    await expect(lookup.annotatedEntities()).resolves.toEqual([]);
    expect(catalog.getEntities).toHaveBeenCalledTimes(1);
    const [request] = catalog.getEntities.mock.calls[0];
    expect(request?.fields).toEqual([
      'kind',
      'metadata.namespace',
      'metadata.name',
      'metadata.annotations',
    ]);
    const filter = request?.filter as Record<string, unknown>;
    expect(Object.keys(filter)).toEqual([
      'metadata.annotations.gitops.backstage.io/applications',
    ]);
    expect(
      filter['metadata.annotations.gitops.backstage.io/applications'],
    ).toBe(
      jest.requireActual('@backstage/catalog-client').CATALOG_FILTER_EXISTS,
    );
  });
});
