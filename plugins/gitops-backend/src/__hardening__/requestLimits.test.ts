import {
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import { gzipSync } from 'node:zlib';
import { TestGitRemote } from '../git/__testUtils__/TestGitRemote';
import { readExampleRepo } from '../changes/__testUtils__/changeTestbed';
import {
  startGitopsBackend,
  type GitopsBackend,
} from './__testUtils__/startGitopsBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const CHANGES_LIMIT = 256 * 1024;
const OTHER_LIMIT = 64 * 1024;

/** A JSON object of about `bytes` bytes. */
function jsonOf(bytes: number, extra: object = {}): string {
  return JSON.stringify({ ...extra, padding: 'x'.repeat(bytes) });
}

describe('request bodies larger than a route accepts', () => {
  let remote: TestGitRemote;
  let backend: GitopsBackend;
  const workingDirectory = createMockDirectory();

  beforeAll(async () => {
    remote = await TestGitRemote.create();
    await remote.commit('seed', await readExampleRepo());
    backend = await startGitopsBackend({
      knex: await databases.init('SQLITE_3'),
      gitops: {
        workingDirectory: workingDirectory.path,
        configRepos: [{ id: 'demo', url: remote.url }],
      },
    });
    // Fills the store with the example's applications (renders may fail here: no cluster, maybe no kustomize).
    await backend.triggerTask('gitops-poll-demo');
  });

  afterAll(async () => {
    await backend?.stop();
    await remote?.cleanup();
  });

  /** Nothing reached Git or the stores: only main on the remote, no change request, no sync run. */
  async function expectNothingStored() {
    const branches = await remote.git(
      remote.bareDir,
      'for-each-ref',
      '--format=%(refname:short)',
      'refs/heads',
    );
    expect(branches.trim().split('\n')).toEqual(['main']);
    const changes = await backend.get('/changes');
    expect(changes.status).toBe(200);
    expect(changes.body.items).toEqual([]);
    const syncs = await backend.get('/applications/shop-api-dev/syncs');
    expect(syncs.status).toBe(200);
    expect(syncs.body.items).toEqual([]);
  }

  const raw = (method: 'get' | 'post', url: string, body: string) =>
    (method === 'get' ? backend.get(url) : backend.post(url))
      .set('Content-Type', 'application/json')
      .send(body);

  it.each([
    ['post', '/changes', CHANGES_LIMIT],
    ['post', '/changes/preview', CHANGES_LIMIT],
    ['post', '/changes/cr-0123456789abcdef0123/approve', CHANGES_LIMIT],
    ['post', '/changes/cr-0123456789abcdef0123/merge', CHANGES_LIMIT],
    ['post', '/changes/cr-0123456789abcdef0123/cancel', CHANGES_LIMIT],
    ['post', '/applications/shop-api-dev/sync', OTHER_LIMIT],
    ['get', '/applications/shop-api-dev', OTHER_LIMIT],
    ['get', '/fleet', OTHER_LIMIT],
  ] as const)(
    '%s %s over %d bytes answers 413 naming the limit, and stores nothing',
    async (method, url, limit) => {
      const res = await raw(
        method,
        url,
        jsonOf(limit + 1, {
          changes: [
            { type: 'image', application: 'shop-api-dev', tag: '9.9.9' },
          ],
        }),
      );
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({
        name: 'PayloadTooLargeError',
        message: `the request body is larger than ${limit} bytes (${
          limit / 1024
        } kB), the most this route accepts`,
      });
      await expectNothingStored();
    },
  );

  it('counts the size after decompression: a gzip bomb is refused, not inflated into memory', async () => {
    const bomb = gzipSync(Buffer.from(jsonOf(20 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(CHANGES_LIMIT / 4);
    const res = await backend
      .post('/changes')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      // superagent sends a Buffer as JSON unless told to pass it through.
      .serialize(value => value)
      .send(bomb as any);
    expect(res.status).toBe(413);
    await expectNothingStored();
  });

  it('lets a change request between the read API limit and its own through to validation', async () => {
    // Five environment variables of 30 kB each: valid input, larger than the read routes' 64 kB.
    const body = {
      changes: ['A', 'B', 'C', 'D', 'E'].map(name => ({
        type: 'env',
        application: 'no-such-app',
        name,
        value: 'v'.repeat(30 * 1024),
      })),
    };
    expect(JSON.stringify(body).length).toBeGreaterThan(2 * OTHER_LIMIT);
    const res = await backend.post('/changes/preview', body);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/no application named no-such-app/);
  });

  it.each([
    ['malformed JSON', 400, '{"changes": ['],
    [
      'a deeply nested value',
      400,
      `{"changes": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ],
    ['a JSON string instead of an object', 400, '"changes"'],
  ])('answers %s with %d, not a server error', async (_, status, body) => {
    const res = await raw('post', '/changes', body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(/\S/);
    await expectNothingStored();
  });
});
