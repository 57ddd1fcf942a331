import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { GITOPS_APPLICATIONS_ANNOTATION } from '@backstage-gitops/plugin-gitops-common';
import { CatalogInfo } from '../database/GitOpsStore';
import { CatalogLookup } from '../reconcile/Reconciler';

/** Owner and system of the entities applications point at, read from the catalog as this plugin. */
export class CatalogEntityLookup implements CatalogLookup {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async info(entityRefs: string[]): Promise<Map<string, CatalogInfo>> {
    const result = new Map<string, CatalogInfo>();
    if (entityRefs.length === 0) return result;
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs,
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner', 'spec.system'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    for (const entity of items) {
      if (!entity) continue;
      const spec = (entity.spec ?? {}) as { owner?: unknown; system?: unknown };
      result.set(stringifyEntityRef(entity), {
        owner: typeof spec.owner === 'string' ? spec.owner : undefined,
        system: typeof spec.system === 'string' ? spec.system : undefined,
      });
    }
    return result;
  }

  async annotatedEntities(): Promise<
    Array<{ entityRef: string; annotation: string }>
  > {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${GITOPS_APPLICATIONS_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.annotations'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items.flatMap(entity => {
      const annotation = entity.metadata.annotations?.[GITOPS_APPLICATIONS_ANNOTATION];
      return typeof annotation === 'string'
        ? [{ entityRef: stringifyEntityRef(entity), annotation }]
        : [];
    });
  }
}
