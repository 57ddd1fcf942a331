import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { readSelfHealBackoff } from './readSelfHealBackoff';
import { DEFAULT_SELF_HEAL_BACKOFF } from './selfHealDelay';

const read = (selfHealBackoff?: JsonObject) =>
  readSelfHealBackoff(
    new ConfigReader({
      gitops: { sync: selfHealBackoff ? { selfHealBackoff } : {} },
    }),
  );

describe('readSelfHealBackoff', () => {
  it('defaults to Argo CD pacing and reads seconds', () => {
    expect(read()).toEqual(DEFAULT_SELF_HEAL_BACKOFF);
    expect(read({ initialSeconds: 0.5, factor: 2, maxSeconds: 60 })).toEqual({
      initialMs: 500,
      factor: 2,
      maxMs: 60_000,
    });
  });

  it.each([[{ factor: 0.5 }], [{ maxSeconds: 0 }], [{ initialSeconds: 600 }]])(
    'refuses %p at startup',
    backoff => {
      expect(() => read(backoff)).toThrow(/gitops\.sync\.selfHealBackoff/);
    },
  );
});
