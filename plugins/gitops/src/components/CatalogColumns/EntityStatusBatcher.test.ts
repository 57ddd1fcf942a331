import { ResponseError } from '@backstage/errors';
import type { EntityStatusBatchResponse } from '@backstage-gitops/plugin-gitops-common';
import { EntityStatusBatcher } from './EntityStatusBatcher';

/** Answers every entity with one dev application, named after it. */
function fakeApi() {
  return {
    getEntityStatuses: jest.fn(
      async (entityRefs: string[]): Promise<EntityStatusBatchResponse> => ({
        items: entityRefs.map(entityRef => ({
          entityRef,
          applications: [
            {
              name: `${entityRef.split('/')[1]}-dev`,
              environment: 'dev',
              sync: 'Synced',
              health: 'Healthy',
              driftCount: 0,
            },
          ],
        })),
      }),
    ),
  };
}

async function responseError(status: number) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'NotAllowedError', message: 'nope' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

describe('EntityStatusBatcher', () => {
  it('asks once for all the entities a page loads together, each once', async () => {
    const api = fakeApi();
    const batcher = new EntityStatusBatcher(api);
    const answers = await Promise.all([
      batcher.load('component:default/shop-api'),
      batcher.load('component:default/billing'),
      batcher.load('Component:default/Shop-API'),
    ]);
    expect(api.getEntityStatuses).toHaveBeenCalledTimes(1);
    expect(api.getEntityStatuses).toHaveBeenCalledWith([
      'component:default/shop-api',
      'component:default/billing',
    ]);
    expect(answers.map(answer => answer?.applications[0].name)).toEqual([
      'shop-api-dev',
      'billing-dev',
      'shop-api-dev',
    ]);
  });

  it('splits more than 200 entities into requests the backend takes', async () => {
    const api = fakeApi();
    const batcher = new EntityStatusBatcher(api);
    await Promise.all(
      Array.from({ length: 450 }, (_, i) =>
        batcher.load(`component:default/svc-${i}`),
      ),
    );
    expect(
      api.getEntityStatuses.mock.calls.map(([refs]) => refs.length),
    ).toEqual([200, 200, 50]);
  });

  it('reuses an answer for a while, then asks again', async () => {
    const api = fakeApi();
    let now = 0;
    const batcher = new EntityStatusBatcher(api, {
      maxAgeMs: 1000,
      now: () => now,
    });
    await batcher.load('component:default/shop-api');
    now = 999;
    await batcher.load('component:default/shop-api');
    expect(api.getEntityStatuses).toHaveBeenCalledTimes(1);
    now = 1000;
    await batcher.load('component:default/shop-api');
    expect(api.getEntityStatuses).toHaveBeenCalledTimes(2);
  });

  it('answers undefined for entities left out of the answer, and for a 403', async () => {
    const api = fakeApi();
    api.getEntityStatuses.mockResolvedValueOnce({ items: [] });
    const batcher = new EntityStatusBatcher(api);
    expect(await batcher.load('component:default/vault-proxy')).toBeUndefined();

    api.getEntityStatuses.mockRejectedValueOnce(await responseError(403));
    expect(await batcher.load('component:default/secret')).toBeUndefined();
  });

  it('fails every entity of a failed request, and asks again on the next load', async () => {
    const api = fakeApi();
    api.getEntityStatuses.mockRejectedValueOnce(await responseError(500));
    const batcher = new EntityStatusBatcher(api);
    const first = batcher.load('component:default/shop-api');
    const second = batcher.load('component:default/billing');
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();

    expect((await batcher.load('component:default/shop-api'))?.entityRef).toBe(
      'component:default/shop-api',
    );
    expect(api.getEntityStatuses).toHaveBeenCalledTimes(2);
  });
});
