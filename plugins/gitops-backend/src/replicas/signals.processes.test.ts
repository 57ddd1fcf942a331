import knexFactory, { type Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { waitUntil } from '../reconcile/__testUtils__/waitUntil';
import { ReplicaProcess } from './__testUtils__/ReplicaProcess';
import {
  startTestPostgres,
  testPostgresUnavailableReason,
  type TestPostgres,
} from './__testUtils__/startTestPostgres';

jest.setTimeout(180_000);

const CHANNEL = 'gitops:status';
/** Delivery from one replica to a browser on another, in ms; tens of ms here (see the console line). */
const DELIVERY_BOUND_MS = 10_000;
/** How long a second copy of a signal would have to show up. */
const DUPLICATE_GRACE_MS = 1_500;

const skipReason = testPostgresUnavailableReason();
if (skipReason) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the signals process tests: ${skipReason}`);
}
const describeWithPostgres = skipReason ? describe.skip : describe;

interface Received {
  at: number;
  channel: string;
  message: { id: string; from: string };
}

/** A browser's signals connection, as the signals frontend opens it: the user's token as the subprotocol. */
class SignalsClient {
  readonly received: Received[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', data => {
      const parsed = JSON.parse(data.toString());
      this.received.push({ at: Date.now(), ...parsed });
    });
  }

  static async connect(
    replica: ReplicaProcess,
    token: string,
  ): Promise<SignalsClient> {
    const ws = new WebSocket(
      `ws://127.0.0.1:${replica.port}/api/signals`,
      token,
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no WebSocket to ${replica.name} in 10 s`)),
          10_000,
        );
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_, response) =>
          reject(
            new Error(
              `WebSocket to ${replica.name} refused: ${response.statusCode}`,
            ),
          ),
        );
      });
    } catch (error) {
      ws.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // The server echoes the token it authenticated back as the protocol, as browsers require.
    if (ws.protocol !== token) {
      ws.terminate();
      throw new Error(`${replica.name} answered protocol '${ws.protocol}'`);
    }
    return new SignalsClient(ws);
  }

  subscribe(channel: string) {
    this.ws.send(JSON.stringify({ action: 'subscribe', channel }));
  }

  copiesOf(id: string): Received[] {
    return this.received.filter(entry => entry.message?.id === id);
  }

  close() {
    this.ws.terminate();
  }
}

describeWithPostgres(
  'signals between replicas sharing one PostgreSQL, as real processes',
  () => {
    let postgres: TestPostgres;
    let logDir: string;
    const replicas: ReplicaProcess[] = [];
    const databases: Knex[] = [];
    const clients: SignalsClient[] = [];
    let published = 0;

    /** Two replicas on one PostgreSQL, the databases of their plugins prefixed `prefix`. */
    interface Pair {
      a: ReplicaProcess;
      b: ReplicaProcess;
      /** The events backend's database, which holds the bus. */
      events: Knex;
      /** A real user token, issued by A's auth backend. */
      token: string;
    }

    async function startReplica(
      name: string,
      prefix: string,
      useEventBus: 'always' | 'never',
    ): Promise<ReplicaProcess> {
      const replica = await ReplicaProcess.start({
        name,
        entry: 'signalsBackend.ts',
        logDir,
        config: {
          backend: {
            database: {
              client: 'pg',
              connection: postgres.connectionString,
              prefix,
            },
          },
          events: { useEventBus },
          auth: { providers: { guest: {} } },
        },
      });
      replicas.push(replica);
      return replica;
    }

    async function startPair(
      prefix: string,
      useEventBus: 'always' | 'never',
    ): Promise<Pair> {
      // One after the other: the first creates the databases and migrates them.
      const a = await startReplica(`${prefix}a`, prefix, useEventBus);
      const b = await startReplica(`${prefix}b`, prefix, useEventBus);
      const events = knexFactory({
        client: 'pg',
        connection: `${postgres.connectionString}/${prefix}events`,
        pool: { min: 0, max: 1 },
      });
      databases.push(events);
      const refresh = await fetch(a.url('/api/auth/guest/refresh'), {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      expect(refresh.status).toBe(200);
      const session = await refresh.json();
      expect(session.backstageIdentity.identity.userEntityRef).toBe(
        'user:development/guest',
      );
      return { a, b, events, token: session.backstageIdentity.token };
    }

    /** Signal ids carried by the bus's stored events. */
    async function storedSignalIds(events: Knex): Promise<string[]> {
      const rows = await events('event_bus_events')
        .where({ topic: 'signals' })
        .select('data_json');
      return rows.map(row => JSON.parse(row.data_json).payload.message.id);
    }

    /** Publishes one broadcast signal through `replica`'s signals service; returns its id. */
    async function publish(
      replica: ReplicaProcess,
      token: string,
      from: string,
    ): Promise<string> {
      published += 1;
      const id = `${from}-${published}-${Date.now()}`;
      const response = await fetch(replica.url('/api/signalprobe/publish'), {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ channel: CHANNEL, message: { id, from } }),
      });
      expect(response.status).toBe(204);
      return id;
    }

    async function arrival(
      client: SignalsClient,
      id: string,
    ): Promise<Received> {
      const [first] = await waitUntil(
        async () => client.copiesOf(id),
        copies => expect(copies.length).toBeGreaterThan(0),
        { timeoutMs: DELIVERY_BOUND_MS, intervalMs: 5 },
      );
      return first;
    }

    /** Both clients connected and subscribed, each proven listening by a signal published on its own replica. */
    async function connectBoth(pair: Pair) {
      const onA = await SignalsClient.connect(pair.a, pair.token);
      // The token A issued is good on B too: both verify it with the signing keys kept in the database.
      const onB = await SignalsClient.connect(pair.b, pair.token);
      clients.push(onA, onB);
      onA.subscribe(CHANNEL);
      onB.subscribe(CHANNEL);
      // Waiting for one per client rules out a race between `subscribe` and the signal under test.
      await arrival(onA, await publish(pair.a, pair.token, 'warm-up-a'));
      await arrival(onB, await publish(pair.b, pair.token, 'warm-up-b'));
      return { onA, onB };
    }

    /** Runs a test's body; when it fails, prints what the replicas logged. */
    async function withReplicaLogs(body: () => Promise<void>): Promise<void> {
      try {
        await body();
      } catch (error) {
        for (const replica of replicas) {
          // eslint-disable-next-line no-console
          console.log(
            `--- ${replica.name} (pid ${replica.pid})\n${await replica.logTail(
              40,
            )}`,
          );
        }
        throw error;
      }
    }

    beforeAll(async () => {
      logDir = await fs.mkdtemp(join(tmpdir(), 'gitops-signals-'));
      postgres = await startTestPostgres();
    }, 120_000);

    afterAll(async () => {
      for (const client of clients) client.close();
      await Promise.all(replicas.map(replica => replica.kill()));
      await Promise.all(databases.map(db => db.destroy()));
      await postgres?.remove();
      if (logDir) await fs.rm(logDir, { recursive: true, force: true });
    }, 120_000);

    it('delivers a signal published on replica A, once, to a browser connected to replica B, through the database bus, and only to signed-in users', () =>
      withReplicaLogs(async () => {
        // What app-config.production.yaml sets: the bus, or an error, never a silent fall back to one process.
        const pair = await startPair('signals_', 'always');
        const { a, b, events, token } = pair;
        // Each replica's signals backend has registered its own subscription on the shared bus.
        await waitUntil(
          () => events('event_bus_subscriptions').select('id', 'topics'),
          rows => {
            const ids = rows
              .filter(row => row.topics.includes('signals'))
              .map(row => row.id);
            expect(ids).toHaveLength(2);
            for (const id of ids) expect(id).toMatch(/^signals\./);
          },
          { timeoutMs: 30_000, intervalMs: 100 },
        );
        const { onA, onB } = await connectBoth(pair);

        const timings: number[] = [];
        const measured: string[] = [];
        for (let round = 0; round < 5; round++) {
          const sent = Date.now();
          const id = await publish(a, token, 'a');
          measured.push(id);
          const atB = await arrival(onB, id);
          expect(atB).toMatchObject({
            channel: CHANNEL,
            message: { id, from: 'a' },
          });
          timings.push(atB.at - sent);
        }
        // And the other way round.
        const sentOnB = Date.now();
        const fromB = await publish(b, token, 'b');
        measured.push(fromB);
        const atA = await arrival(onA, fromB);
        // eslint-disable-next-line no-console
        console.log(
          `signal published on replica A -> received by a browser on replica B: ${timings.join(
            ', ',
          )} ms; B -> A: ${atA.at - sentOnB} ms`,
        );
        for (const ms of timings) expect(ms).toBeLessThan(DELIVERY_BOUND_MS);
        // They went through the events backend's tables in PostgreSQL.
        expect(await storedSignalIds(events)).toEqual(
          expect.arrayContaining(measured),
        );

        // Exactly once on each side: the local bus for the publisher's own browsers, the database bus for the
        // others (the publisher's own subscriber is skipped there).
        await new Promise(resolve => setTimeout(resolve, DUPLICATE_GRACE_MS));
        for (const id of measured) {
          expect(onA.copiesOf(id)).toHaveLength(1);
          expect(onB.copiesOf(id)).toHaveLength(1);
        }

        // Only signed-in users connect.
        await expect(SignalsClient.connect(b, 'not-a-token')).rejects.toThrow(
          /refused: 401/,
        );
      }));

    it('delivers only to browsers on the publishing replica when the bus is off (events.useEventBus: never)', () =>
      withReplicaLogs(async () => {
        const pair = await startPair('signals_local_', 'never');
        const { onA, onB } = await connectBoth(pair);
        const id = await publish(pair.a, pair.token, 'a');
        await arrival(onA, id);
        await new Promise(resolve => setTimeout(resolve, DUPLICATE_GRACE_MS));
        expect(onB.copiesOf(id)).toHaveLength(0);
        expect(await storedSignalIds(pair.events)).toEqual([]);
      }));
  },
);
