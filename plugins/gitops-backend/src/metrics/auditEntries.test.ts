import type {
  AuditEntry,
  SyncRun,
} from '@backstage-gitops/plugin-gitops-common';
import {
  auditPage,
  changeRequestAuditEntries,
  compareAuditEntries,
  decodeAuditCursor,
  isAfter,
  syncRunAuditEntry,
} from './auditEntries';
import { at, changeRequest } from './__testUtils__/metricsFixtures';

describe('changeRequestAuditEntries', () => {
  it('keeps the steps people took: requested, approved, merged, cancelled', () => {
    const request = changeRequest(
      'cr-1',
      {},
      {
        events: [
          {
            at: at(0),
            state: 'draft',
            actor: 'user:default/alice',
            message: 'requested',
          },
          { at: at(0), state: 'checked', message: 'policy: allow' },
          { at: at(1), state: 'pr-open', message: 'branch gitops/cr-1' },
          {
            at: at(2),
            state: 'pr-open',
            actor: 'user:default/bob',
            message: 'approved',
          },
          {
            at: at(3),
            state: 'merged',
            actor: 'user:default/alice',
            message: 'merged as abc',
          },
          {
            at: at(4),
            state: 'synced',
            message: 'applied to every environment',
          },
        ],
      },
    );
    expect(
      changeRequestAuditEntries(request).map(e => [
        e.id,
        e.at,
        e.actor,
        e.action,
      ]),
    ).toEqual([
      ['cr-1:0000', at(0), 'user:default/alice', 'requested'],
      ['cr-1:0003', at(2), 'user:default/bob', 'approved'],
      ['cr-1:0004', at(3), 'user:default/alice', 'merged'],
    ]);
    expect(changeRequestAuditEntries(request)[0]).toEqual({
      id: 'cr-1:0000',
      at: at(0),
      actor: 'user:default/alice',
      action: 'requested',
      entityRef: 'component:default/shop-api',
      changeRequest: { id: 'cr-1', title: 'Change cr-1' },
      message: 'requested',
    });
  });

  it('names a close by a person a cancel, and skips one by the forge', () => {
    const cancelled = changeRequest(
      'cr-2',
      {},
      {
        events: [
          {
            at: at(1),
            state: 'closed',
            actor: 'user:default/alice',
            message: 'cancelled',
          },
        ],
      },
    );
    const closedOnForge = changeRequest(
      'cr-3',
      {},
      {
        events: [
          {
            at: at(1),
            state: 'closed',
            message: 'the pull request was closed',
          },
        ],
      },
    );
    expect(changeRequestAuditEntries(cancelled).map(e => e.action)).toEqual([
      'cancelled',
    ]);
    expect(changeRequestAuditEntries(closedOnForge)).toEqual([]);
  });
});

describe('syncRunAuditEntry', () => {
  const run: Omit<SyncRun, 'resources'> = {
    id: '0b7d',
    application: 'shop-api-prod',
    trigger: 'manual',
    requestedBy: 'user:default/carol',
    revision: 'abc1234',
    startedAt: at(5),
    result: 'succeeded',
  };

  it.each`
    name                              | change                        | expected
    ${'a manual sync'}                | ${{}}                         | ${{ id: 'sync:0b7d', at: at(5), actor: 'user:default/carol', action: 'synced', entityRef: 'component:default/shop-api', application: 'shop-api-prod', revision: 'abc1234', result: 'succeeded' }}
    ${'an automated sync'}            | ${{ trigger: 'automated' }}   | ${undefined}
    ${'a self-heal'}                  | ${{ trigger: 'self-heal' }}   | ${undefined}
    ${'a manual sync without a name'} | ${{ requestedBy: undefined }} | ${undefined}
  `('records $name', ({ change, expected }) => {
    expect(
      syncRunAuditEntry({ ...run, ...change }, 'component:default/shop-api'),
    ).toEqual(expected);
  });
});

describe('auditPage', () => {
  const entry = (id: string, hour: number) =>
    ({
      id,
      at: at(hour),
      actor: 'user:default/alice',
      action: 'requested',
    } as AuditEntry);

  it('orders newest first, the same instant by id, and pages with a cursor', () => {
    const entries = [
      entry('cr-a:0000', 1),
      entry('sync:x', 2),
      entry('cr-b:0000', 2),
      entry('cr-c:0001', 3),
    ];
    const first = auditPage(entries, 2);
    expect(first.items.map(e => e.id)).toEqual(['cr-c:0001', 'sync:x']);
    const position = decodeAuditCursor(first.nextCursor!);
    expect(position).toEqual({ at: at(2), id: 'sync:x' });
    const rest = entries.filter(e => isAfter(e, position));
    expect(auditPage(rest, 2)).toEqual({ items: [entries[2], entries[0]] });
  });

  it('answers an empty page without a cursor', () => {
    expect(auditPage([], 10)).toEqual({ items: [] });
  });

  it('sorts like the database: by instant, then id', () => {
    expect(compareAuditEntries(entry('a', 1), entry('b', 1))).toBeGreaterThan(
      0,
    );
    expect(compareAuditEntries(entry('a', 2), entry('b', 1))).toBeLessThan(0);
  });

  it.each([
    'not-base64!',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('{"at":"soon","id":"x"}').toString('base64url'),
  ])('refuses the malformed cursor %p', cursor => {
    expect(() => decodeAuditCursor(cursor)).toThrow('Malformed page cursor');
  });
});
