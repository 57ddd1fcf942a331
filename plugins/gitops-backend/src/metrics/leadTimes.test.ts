import { commitToSyncedTimes, mergeToSyncedTimes } from './leadTimes';
import type { Deployment } from './types';
import { at, changeRequest, hours } from './__testUtils__/metricsFixtures';

const RANGE = hours(0, 24);

describe('mergeToSyncedTimes', () => {
  it.each`
    name                                 | steps                                    | expected
    ${'merged and synced in the range'}  | ${{ draft: 0, merged: 1, synced: 1.5 }}  | ${[{ at: at(1.5), seconds: 1800 }]}
    ${'merged before the range'}         | ${{ draft: -10, merged: -2, synced: 1 }} | ${[{ at: at(1), seconds: 10800 }]}
    ${'synced after the range'}          | ${{ draft: 20, merged: 23, synced: 25 }} | ${[]}
    ${'synced exactly at the end'}       | ${{ draft: 20, merged: 23, synced: 24 }} | ${[]}
    ${'not merged (cancelled)'}          | ${{ draft: 1, closed: 2 }}               | ${[]}
    ${'merged, not synced yet'}          | ${{ draft: 1, merged: 2 }}               | ${[]}
    ${'merged and failed before synced'} | ${{ draft: 1, merged: 2, failed: 3 }}    | ${[]}
  `('measures a change request $name', ({ steps, expected }) => {
    expect(mergeToSyncedTimes([changeRequest('cr-1', steps)], RANGE)).toEqual(
      expected,
    );
  });

  it('measures every change request apart', () => {
    const requests = [
      changeRequest('cr-1', { draft: 0, merged: 1, synced: 2 }),
      changeRequest('cr-2', { draft: 0, merged: 3, synced: 3 }),
    ];
    expect(mergeToSyncedTimes(requests, RANGE).map(t => t.seconds)).toEqual([
      3600, 0,
    ]);
  });
});

describe('commitToSyncedTimes', () => {
  const deployment = (
    revision: string | undefined,
    hour: number,
  ): Deployment => ({
    application: 'shop-api-prod',
    ...(revision && { revision }),
    at: at(hour),
    source: 'history',
  });

  it.each`
    name                         | revision     | hour  | expected
    ${'a known commit'}          | ${'known'}   | ${2}  | ${[{ at: at(2), seconds: 7200 }]}
    ${'an unknown commit'}       | ${'unknown'} | ${2}  | ${[]}
    ${'no revision'}             | ${undefined} | ${2}  | ${[]}
    ${'a commit dated after it'} | ${'known'}   | ${-1} | ${[]}
  `('measures $name', ({ revision, hour, expected }) => {
    const commitTimes = new Map([['known', at(0)]]);
    expect(
      commitToSyncedTimes([deployment(revision, hour)], commitTimes),
    ).toEqual(expected);
  });
});
