import { ResponseError } from '@backstage/errors';
import { GitOpsClient } from './GitOpsClient';

const baseUrl = 'http://localhost:7007/api/gitops';

function clientAnswering(response: Response) {
  const fetch = jest.fn(async (_input: RequestInfo | URL) => response);
  const client = new GitOpsClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://localhost:7007/api/${pluginId}`,
    },
    fetchApi: { fetch },
  });
  return { client, fetch };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('GitOpsClient', () => {
  it('reads an entity status by kind, namespace and name', async () => {
    const body = { entityRef: 'component:default/shop-api', applications: [] };
    const { client, fetch } = clientAnswering(json(body));

    await expect(
      client.getEntityStatus({
        kind: 'Component',
        namespace: 'default',
        name: 'shop-api',
      }),
    ).resolves.toEqual(body);
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/entities/component/default/shop-api/status`,
    );
  });

  it('encodes path segments so a name cannot reach another route', async () => {
    const { client, fetch } = clientAnswering(json({}));

    await client.getApplication('a/../../fleet');

    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/applications/a%2F..%2F..%2Ffleet`,
    );
  });

  it('pages history with limit and cursor', async () => {
    const { client, fetch } = clientAnswering(json({ items: [] }));

    await client.getApplicationHistory('shop-api-dev', {
      limit: 20,
      cursor: 'b2Zmc2V0OjIw',
    });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/applications/shop-api-dev/history?limit=20&cursor=b2Zmc2V0OjIw`,
    );
  });

  it('asks for the first page without a query', async () => {
    const { client, fetch } = clientAnswering(json({ items: [] }));

    await client.getApplicationHistory('shop-api-dev');

    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/applications/shop-api-dev/history`,
    );
  });

  it('turns error responses into a ResponseError carrying the backend message', async () => {
    const { client } = clientAnswering(
      json(
        {
          error: {
            name: 'NotFoundError',
            message: 'No application named ghost',
          },
          request: { method: 'GET', url: '/applications/ghost' },
          response: { statusCode: 404 },
        },
        404,
      ),
    );

    const error = await client.getApplication('ghost').catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
    expect(error.body.error.message).toBe('No application named ghost');
  });
});
