import { EngineError } from '../errors';
import type { ChangeWindow, ChangeWindowEvaluation } from './ChangeWindow';
import {
  describeChangeWindow,
  evaluateChangeWindows,
  validateChangeWindows,
} from './evaluateChangeWindows';

const fridayFreeze: ChangeWindow = {
  kind: 'deny',
  schedule: '0 16 * * 5',
  duration: '3h',
  timeZone: 'Europe/Berlin',
  description: 'Fridays from 16:00',
};
const newYorkBusinessHours: ChangeWindow = {
  kind: 'allow',
  schedule: '0 9 * * 1-5',
  duration: '8h',
  timeZone: 'America/New_York',
};
/** Fires at 02:30 Berlin time: inside the spring-forward gap and the repeated autumn hour. */
const nightlyBerlin: ChangeWindow = {
  kind: 'deny',
  schedule: '30 2 * * *',
  duration: '1h',
  timeZone: 'Europe/Berlin',
};
const alwaysAllowed: ChangeWindow = {
  kind: 'allow',
  schedule: '0 * * * *',
  duration: '1h',
};

const FRIDAY_FREEZE = 'deny: Fridays from 16:00 (Europe/Berlin)';
const OUTSIDE_NY =
  'outside every allow window: allow: 0 9 * * 1-5 for 8h (America/New_York)';

describe('evaluateChangeWindows', () => {
  it.each<[string, ChangeWindow[], string, ChangeWindowEvaluation]>([
    [
      'no windows: always open',
      [],
      '2026-11-27T15:30:00Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'a deny window before it starts (16:00 CET is 15:00 UTC in November)',
      [fridayFreeze],
      '2026-11-27T14:59:59Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'a deny window at the instant it starts, with when it ends',
      [fridayFreeze],
      '2026-11-27T15:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: FRIDAY_FREEZE,
        nextOpenAt: '2026-11-27T18:00:00.000Z',
      },
    ],
    [
      'a deny window at the instant it ends (occurrences are half-open)',
      [fridayFreeze],
      '2026-11-27T18:00:00Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'a deny window in summer time (16:00 CEST is 14:00 UTC)',
      [fridayFreeze],
      '2026-07-03T14:30:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: FRIDAY_FREEZE,
        nextOpenAt: '2026-07-03T17:00:00.000Z',
      },
    ],
    [
      'an allow window on a Saturday: closed until Monday 09:00 in New York (14:00 UTC)',
      [newYorkBusinessHours],
      '2026-11-28T12:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: OUTSIDE_NY,
        nextOpenAt: '2026-11-30T14:00:00.000Z',
      },
    ],
    [
      'inside an allow window',
      [newYorkBusinessHours],
      '2026-11-30T21:59:00Z',
      {
        open: true,
        manualSyncAllowed: true,
        reason: 'allow: 0 9 * * 1-5 for 8h (America/New_York)',
      },
    ],
    [
      'deny wins over an active allow, and opens when the deny ends while the allow still runs',
      [newYorkBusinessHours, fridayFreeze],
      '2026-11-27T15:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: FRIDAY_FREEZE,
        nextOpenAt: '2026-11-27T18:00:00.000Z',
      },
    ],
    [
      'deny wins over an allow window that is always active',
      [alwaysAllowed, fridayFreeze],
      '2026-11-27T16:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: FRIDAY_FREEZE,
        nextOpenAt: '2026-11-27T18:00:00.000Z',
      },
    ],
    [
      'a deny that ends outside every allow window: next open is the next allow start',
      [
        newYorkBusinessHours,
        { kind: 'deny', schedule: '0 20 * * 5', duration: '5h' },
      ],
      '2026-11-27T21:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: 0 20 * * 5 for 5h (UTC)',
        nextOpenAt: '2026-11-30T14:00:00.000Z',
      },
    ],
    [
      'only deny windows, none active: open without a reason',
      [fridayFreeze, nightlyBerlin],
      '2026-11-26T12:00:00Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'a time zone without DST (Tokyo 09:00 is 00:00 UTC)',
      [
        {
          kind: 'allow',
          schedule: '0 9 * * *',
          duration: '1h',
          timeZone: 'Asia/Tokyo',
        },
      ],
      '2026-11-26T01:00:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason:
          'outside every allow window: allow: 0 9 * * * for 1h (Asia/Tokyo)',
        nextOpenAt: '2026-11-27T00:00:00.000Z',
      },
    ],
    [
      'DST spring forward: 02:30 does not exist, so the window opens at 03:00 CEST (01:00 UTC) that day',
      [nightlyBerlin],
      '2026-03-29T01:30:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: 30 2 * * * for 1h (Europe/Berlin)',
        nextOpenAt: '2026-03-29T02:00:00.000Z',
      },
    ],
    [
      'DST spring forward: before the gap the window is not active yet (01:45 CET)',
      [nightlyBerlin],
      '2026-03-29T00:45:00Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'the day before spring forward: 02:30 CET is 01:30 UTC',
      [nightlyBerlin],
      '2026-03-28T02:15:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: 30 2 * * * for 1h (Europe/Berlin)',
        nextOpenAt: '2026-03-28T02:30:00.000Z',
      },
    ],
    [
      'DST fall back: the first 02:30 (CEST, 00:30 UTC) opens the window',
      [{ ...nightlyBerlin, duration: '30m' }],
      '2026-10-25T00:45:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: 30 2 * * * for 30m (Europe/Berlin)',
        nextOpenAt: '2026-10-25T01:00:00.000Z',
      },
    ],
    [
      'DST fall back: the repeated 02:30 (CET, 01:30 UTC) does not open it again',
      [{ ...nightlyBerlin, duration: '30m' }],
      '2026-10-25T01:45:00Z',
      { open: true, manualSyncAllowed: true },
    ],
    [
      'a duration is elapsed time across a DST change: midnight CET + 4h ends at 05:00 CEST',
      [
        {
          kind: 'deny',
          schedule: '0 0 * * *',
          duration: '4h',
          timeZone: 'Europe/Berlin',
        },
      ],
      '2026-03-29T02:30:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: 0 0 * * * for 4h (Europe/Berlin)',
        nextOpenAt: '2026-03-29T03:00:00.000Z',
      },
    ],
    [
      'an active deny window with manualSync lets a manual sync through',
      [{ ...fridayFreeze, manualSync: true }],
      '2026-11-27T15:30:00Z',
      {
        open: false,
        manualSyncAllowed: true,
        reason: FRIDAY_FREEZE,
        nextOpenAt: '2026-11-27T18:00:00.000Z',
      },
    ],
    [
      'two active deny windows: manual sync only when both allow it',
      [
        { ...fridayFreeze, manualSync: true },
        { kind: 'deny', schedule: '0 15 * * 5', duration: '1h' },
      ],
      '2026-11-27T15:30:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: `${FRIDAY_FREEZE}; deny: 0 15 * * 5 for 1h (UTC)`,
        nextOpenAt: '2026-11-27T18:00:00.000Z',
      },
    ],
    [
      'outside an allow window with manualSync: manual sync goes through',
      [{ ...newYorkBusinessHours, manualSync: true }],
      '2026-11-28T12:00:00Z',
      {
        open: false,
        manualSyncAllowed: true,
        reason: OUTSIDE_NY,
        nextOpenAt: '2026-11-30T14:00:00.000Z',
      },
    ],
    [
      'a deny window that never ends within the search: closed, no nextOpenAt',
      [{ kind: 'deny', schedule: '* * * * *', duration: '1h' }],
      '2026-11-27T15:30:00Z',
      {
        open: false,
        manualSyncAllowed: false,
        reason: 'deny: * * * * * for 1h (UTC)',
      },
    ],
  ])('%s', (_name, windows, now, expected) => {
    expect(evaluateChangeWindows(windows, new Date(now))).toEqual(expected);
  });

  it('reads five-field cron the usual way: day names, ranges, lists and steps', () => {
    const weekdayEvenHours: ChangeWindow = {
      kind: 'deny',
      schedule: '0 */2 * * MON-WED,FRI',
      duration: '1h',
    };
    const at = (iso: string) =>
      evaluateChangeWindows([weekdayEvenHours], new Date(iso)).open;
    expect(at('2026-11-30T10:30:00Z')).toBe(false); // Monday, even hour
    expect(at('2026-11-30T11:30:00Z')).toBe(true); // odd hour
    expect(at('2026-12-03T10:30:00Z')).toBe(true); // Thursday
    expect(at('2026-12-04T10:30:00Z')).toBe(false); // Friday
  });
});

describe('validateChangeWindows', () => {
  it.each<[string, ChangeWindow, RegExp]>([
    [
      'a cron field out of range',
      { kind: 'deny', schedule: '0 25 * * *', duration: '1h' },
      /changeWindows\[0\] \(deny "0 25 \* \* \*"\): schedule "0 25 \* \* \*" is not valid cron/,
    ],
    [
      'six cron fields',
      { kind: 'deny', schedule: '0 0 16 * * 5', duration: '1h' },
      /not a five-field cron expression/,
    ],
    [
      'a cron nickname',
      { kind: 'allow', schedule: '@daily', duration: '1h' },
      /not a five-field cron expression/,
    ],
    [
      'a schedule that never fires',
      { kind: 'deny', schedule: '0 0 31 2 *', duration: '1h' },
      /never fires/,
    ],
    [
      'a duration without unit',
      { kind: 'deny', schedule: '0 16 * * 5', duration: '90' },
      /duration "90" is not a duration like "1h30m"/,
    ],
    [
      'a duration in days',
      { kind: 'deny', schedule: '0 16 * * 5', duration: '1d' },
      /duration "1d"/,
    ],
    [
      'a zero duration',
      { kind: 'deny', schedule: '0 16 * * 5', duration: '0m' },
      /must be longer than zero/,
    ],
    [
      'an unknown time zone',
      { ...fridayFreeze, timeZone: 'Europe/Atlantis' },
      /changeWindows\[0\] \(deny "Fridays from 16:00"\): time zone "Europe\/Atlantis" is not an IANA time zone/,
    ],
    [
      'an unknown kind',
      { ...fridayFreeze, kind: 'block' as 'deny' },
      /kind must be "allow" or "deny", got "block"/,
    ],
  ])(
    'rejects %s with an EngineError naming the window',
    (_name, window, message) => {
      let thrown: unknown;
      try {
        validateChangeWindows([window]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EngineError);
      expect((thrown as EngineError).code).toBe('INPUT_INVALID');
      expect((thrown as EngineError).message).toMatch(message);
      // Evaluation validates too: a bad window never evaluates to "open".
      expect(() => evaluateChangeWindows([window], new Date())).toThrow(
        EngineError,
      );
    },
  );

  it('names the position of a bad window among good ones', () => {
    expect(() =>
      validateChangeWindows([
        fridayFreeze,
        { kind: 'allow', schedule: '0 9 * * 1-5', duration: '8 hours' },
      ]),
    ).toThrow(
      /^changeWindows\[1\] \(allow "0 9 \* \* 1-5"\): duration "8 hours"/,
    );
  });

  it('accepts the windows of the examples', () => {
    expect(() =>
      validateChangeWindows([
        fridayFreeze,
        newYorkBusinessHours,
        nightlyBerlin,
        alwaysAllowed,
      ]),
    ).not.toThrow();
  });
});

describe('describeChangeWindow', () => {
  it('prefers the description and names the time zone, UTC by default', () => {
    expect(describeChangeWindow(fridayFreeze)).toBe(FRIDAY_FREEZE);
    expect(
      describeChangeWindow({
        kind: 'allow',
        schedule: '0 9 * * 1-5',
        duration: '8h',
      }),
    ).toBe('allow: 0 9 * * 1-5 for 8h (UTC)');
  });
});
