import { resolveMetricsRange } from './resolveMetricsRange';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const iso = ({ from, to }: { from: number; to: number }) => ({
  from: new Date(from).toISOString(),
  to: new Date(to).toISOString(),
});

describe('resolveMetricsRange', () => {
  it.each`
    query                                                      | expected
    ${{}}                                                      | ${{ from: '2026-10-27T12:00:00.000Z', to: '2026-11-26T12:00:00.000Z' }}
    ${{ from: '2026-11-01' }}                                  | ${{ from: '2026-11-01T00:00:00.000Z', to: '2026-11-26T12:00:00.000Z' }}
    ${{ to: '2026-11-01' }}                                    | ${{ from: '2026-10-02T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }}
    ${{ from: '2026-11-01T10:00:00+02:00', to: '2026-11-02' }} | ${{ from: '2026-11-01T08:00:00.000Z', to: '2026-11-02T00:00:00.000Z' }}
    ${{ from: '2025-11-26T12:00:00Z' }}                        | ${{ from: '2025-11-26T12:00:00.000Z', to: '2026-11-26T12:00:00.000Z' }}
  `('resolves $query', ({ query, expected }) => {
    expect(iso(resolveMetricsRange(query, NOW))).toEqual(expected);
  });

  it.each`
    query                                       | message
    ${{ from: '2026-11-02', to: '2026-11-01' }} | ${/from \(2026-11-02T00:00:00.000Z\) must be before to/}
    ${{ from: '2026-11-01', to: '2026-11-01' }} | ${/must be before/}
    ${{ from: '2025-11-26T11:59:59Z' }}         | ${/at most 365 days/}
    ${{ from: 'yesterday' }}                    | ${/ISO 8601/}
  `('refuses $query', ({ query, message }) => {
    expect(() => resolveMetricsRange(query, NOW)).toThrow(message);
  });
});
