import { worstHealth } from './vocabulary';

describe('worstHealth', () => {
  it.each([
    [[], 'Healthy'],
    [['Healthy', 'Healthy'], 'Healthy'],
    [['Healthy', 'Suspended'], 'Suspended'],
    [['Progressing', 'Suspended', 'Healthy'], 'Progressing'],
    [['Progressing', 'Missing'], 'Missing'],
    [['Missing', 'Degraded', 'Healthy'], 'Degraded'],
    [['Degraded', 'Unknown'], 'Unknown'],
  ] as const)('%j aggregates to %s', (statuses, expected) => {
    expect(worstHealth(statuses)).toBe(expected);
  });
});
