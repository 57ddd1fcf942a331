import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { readEnvironmentPolicies } from './readEnvironmentPolicies';

const FRIDAY_FREEZE = {
  kind: 'deny',
  schedule: '0 16 * * 5',
  duration: '3h',
  timeZone: 'Europe/Berlin',
  description: 'Fridays from 16:00',
};

function policies(environments: JsonObject) {
  return readEnvironmentPolicies(
    new ConfigReader({ gitops: { environments } }),
  );
}

describe('readEnvironmentPolicies', () => {
  it('gives each environment its windows, and none to the others', () => {
    const read = policies({
      prod: { changeWindows: [FRIDAY_FREEZE] },
      // Keys of other features (approvals) sit next to the windows.
      staging: { approvals: { count: 1 } },
    });
    expect(read.changeWindows('prod')).toEqual([FRIDAY_FREEZE]);
    expect(read.changeWindows('staging')).toEqual([]);
    expect(read.changeWindows('dev')).toEqual([]);
  });

  it('reports whether an environment is open, for change requests', () => {
    const read = policies({ prod: { changeWindows: [FRIDAY_FREEZE] } });
    // Friday 2026-11-27, 16:30 in Berlin.
    const friday = new Date('2026-11-27T15:30:00Z');
    expect(read.changeWindowReport('prod', friday)).toEqual({
      environment: 'prod',
      open: false,
      reason: 'deny: Fridays from 16:00 (Europe/Berlin)',
      nextOpenAt: '2026-11-27T18:00:00.000Z',
    });
    expect(read.changeWindowReport('dev', friday)).toEqual({
      environment: 'dev',
      open: true,
    });
    expect(read.evaluate('prod', friday).manualSyncAllowed).toBe(false);
  });

  it('works without any environments configured', () => {
    const read = readEnvironmentPolicies(new ConfigReader({}));
    expect(read.changeWindowReport('prod', new Date())).toEqual({
      environment: 'prod',
      open: true,
    });
  });

  it.each([
    [
      'a bad cron',
      { ...FRIDAY_FREEZE, schedule: '0 16 * * FUNDAY' },
      /Invalid gitops\.environments\.prod\.changeWindows: changeWindows\[1\] \(deny "Fridays from 16:00"\): schedule "0 16 \* \* FUNDAY" is not valid cron/,
    ],
    [
      'a bad duration',
      { ...FRIDAY_FREEZE, duration: '3 hours' },
      /changeWindows\[1\] \(deny "Fridays from 16:00"\): duration "3 hours"/,
    ],
    [
      'a bad time zone',
      { ...FRIDAY_FREEZE, timeZone: 'Berlin' },
      /changeWindows\[1\] .*time zone "Berlin" is not an IANA time zone/,
    ],
    [
      'a bad kind',
      { ...FRIDAY_FREEZE, kind: 'freeze' },
      /gitops\.environments\.prod\.changeWindows\[1\]\.kind: must be "allow" or "deny"/,
    ],
    ['a missing schedule', { kind: 'deny', duration: '1h' }, /schedule/],
  ])('fails at startup on %s, naming the window', (_name, window, message) => {
    expect(() =>
      policies({
        prod: {
          changeWindows: [
            { kind: 'allow', schedule: '0 9 * * 1-5', duration: '8h' },
            window,
          ],
        },
      }),
    ).toThrow(message);
  });
});
