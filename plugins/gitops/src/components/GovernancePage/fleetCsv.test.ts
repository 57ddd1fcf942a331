import { changeFixtures } from '../../__testUtils__/changeFixtures';
import { csvField, fleetCsv } from './fleetCsv';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['@team', "'@team"],
    ['', ''],
  ])('%j is written as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers as they are', () => {
    expect(csvField(-1)).toBe('-1');
  });
});

describe('fleetCsv', () => {
  it('writes a header and one CRLF-terminated line per row, with known pending counts', () => {
    const { fleet } = changeFixtures(Date.parse('2026-11-20T12:00:00Z'));
    const [dev, , , ledger] = fleet.items;

    const csv = fleetCsv([dev, ledger], row =>
      row.application.name === 'shop-api-dev' ? 2 : undefined,
    );

    expect(csv.split('\r\n')).toEqual([
      'Entity,Owner,System,Environment,Application,Sync,Health,Drifted fields,Drift since,Pending change requests',
      'component:default/shop-api,group:default/team-shop,shop,dev,shop-api-dev,OutOfSync,Healthy,2,2026-11-20T11:57:00.000Z,2',
      'component:default/ledger,group:default/team-finance,"books, ""ledger""",prod,ledger-prod,Synced,Degraded,1,2026-11-19T10:00:00.000Z,',
      '',
    ]);
  });
});
