import { ResponseError } from '@backstage/errors';
import { GitOpsClient } from './GitOpsClient';

const baseUrl = 'http://localhost:7007/api/gitops';

function clientAnswering(response: Response) {
  const fetch = jest.fn(
    async (_input: RequestInfo | URL, _init?: RequestInit) => response,
  );
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

  it("lists an application's syncs and starts one with a POST", async () => {
    const { client, fetch } = clientAnswering(json({ items: [] }));

    await client.listSyncRuns('shop-api-dev', { limit: 10 });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/applications/shop-api-dev/syncs?limit=10`,
    );

    fetch.mockResolvedValueOnce(
      json(
        { id: 'sync-1', application: 'shop-api-dev', result: 'running' },
        202,
      ),
    );
    await expect(client.syncApplication('shop-api-dev')).resolves.toMatchObject(
      { id: 'sync-1', result: 'running' },
    );
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/applications/shop-api-dev/sync`,
      { method: 'POST' },
    );
  });

  it('passes only the fleet filters that are set', async () => {
    const { client, fetch } = clientAnswering(
      json({ items: [], totalItems: 0 }),
    );

    await client.getFleet({
      owner: 'group:default/team-shop',
      sync: 'OutOfSync',
      environment: '',
      limit: 500,
    });

    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/fleet?owner=group%3Adefault%2Fteam-shop&sync=OutOfSync&limit=500`,
    );
  });

  it('previews a change by posting its body as JSON', async () => {
    const preview = { baseSha: 'abc', files: [], applications: [] };
    const { client, fetch } = clientAnswering(json(preview));
    const body = {
      changes: [
        { type: 'image' as const, application: 'shop-api-dev', tag: '1.5.0' },
      ],
    };

    await expect(client.previewChange(body)).resolves.toEqual(preview);

    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${baseUrl}/changes/preview`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(init.body as string)).toEqual(body);
  });

  it.each([
    [201, true],
    [200, false],
  ])(
    'tells a new change request (%i) from one an idempotency key matched',
    async (status, created) => {
      const request = { id: 'cr-1', state: 'pr-open' };
      const { client, fetch } = clientAnswering(json(request, status));

      await expect(
        client.createChangeRequest({
          changes: [{ type: 'rollback', changeRequest: 'cr-0' }],
          idempotencyKey: 'form-1',
        }),
      ).resolves.toEqual({ changeRequest: request, created });
      expect(fetch.mock.calls[0][0]).toBe(`${baseUrl}/changes`);
    },
  );

  it('reports a closed change window as a 409 with the backend reason', async () => {
    const { client } = clientAnswering(
      json(
        {
          error: {
            name: 'ConflictError',
            message: 'Change window closed for prod: Fridays from 16:00',
          },
          response: { statusCode: 409 },
        },
        409,
      ),
    );

    const error = await client
      .createChangeRequest({
        changes: [
          { type: 'replicas', application: 'shop-api-prod', replicas: 3 },
        ],
      })
      .catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe(
      'Change window closed for prod: Fridays from 16:00',
    );
  });

  it('lists change requests by entity and state', async () => {
    const { client, fetch } = clientAnswering(json({ items: [] }));

    await client.listChangeRequests({
      entityRef: 'component:default/shop-api',
      state: 'merged',
      limit: 20,
      cursor: 'c2',
    });

    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/changes?entityRef=component%3Adefault%2Fshop-api&state=merged&limit=20&cursor=c2`,
    );
  });

  it.each([
    ['approveChangeRequest', 'approve'],
    ['mergeChangeRequest', 'merge'],
    ['cancelChangeRequest', 'cancel'],
  ] as const)('%s posts to /changes/:id/%s', async (method, action) => {
    const { client, fetch } = clientAnswering(json({ id: 'cr-1' }));

    await client[method]('cr-1');

    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/changes/cr-1/${action}`,
      { method: 'POST' },
    );
  });

  it('reads one change request with its id encoded', async () => {
    const { client, fetch } = clientAnswering(json({ id: 'cr-1' }));

    await client.getChangeRequest('cr-1/../approve');

    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/changes/cr-1%2F..%2Fapprove`,
    );
  });

  it('reads delivery metrics with their range and scope, leaving out what is not set', async () => {
    const { client, fetch } = clientAnswering(json({}));
    fetch.mockImplementation(async () => json({}));

    await client.getDoraMetrics();
    expect(fetch).toHaveBeenLastCalledWith(`${baseUrl}/metrics/dora`);

    await client.getDoraMetrics({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01',
      entityRef: 'component:default/shop-api',
      environment: 'prod',
    });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/metrics/dora?from=2026-11-01T00%3A00%3A00.000Z&to=2026-12-01&entityRef=component%3Adefault%2Fshop-api&environment=prod`,
    );

    await client.getDriftMetrics({ from: '2026-11-01', environment: 'dev' });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/metrics/drift?from=2026-11-01&environment=dev`,
    );
  });

  it('pages the audit log by cursor, filtered by entity and actor', async () => {
    const { client, fetch } = clientAnswering(json({ items: [] }));
    fetch.mockImplementation(async () => json({ items: [] }));

    await client.listAuditEntries();
    expect(fetch).toHaveBeenLastCalledWith(`${baseUrl}/audit`);

    await client.listAuditEntries({
      entityRef: 'component:default/shop-api',
      actor: 'user:default/alice',
      limit: 25,
      cursor: 'eyJhdCI6IngifQ',
    });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/audit?entityRef=component%3Adefault%2Fshop-api&actor=user%3Adefault%2Falice&limit=25&cursor=eyJhdCI6IngifQ`,
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
