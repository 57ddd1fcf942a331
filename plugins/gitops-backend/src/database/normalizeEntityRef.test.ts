import { InputError } from '@backstage/errors';
import { normalizeEntityRef } from './normalizeEntityRef';

describe('normalizeEntityRef', () => {
  it.each([
    ['component:default/shop-api', 'component:default/shop-api'],
    ['Component:Default/Shop-API', 'component:default/shop-api'],
    ['shop-api', 'component:default/shop-api'],
    ['group:platform-team', 'group:default/platform-team'],
    ['user:team.a/ada_b', 'user:team.a/ada_b'],
    ['resource:default/db.v2', 'resource:default/db.v2'],
  ])('%s -> %s', (ref, expected) => {
    expect(normalizeEntityRef(ref)).toBe(expected);
    // Normalizing twice changes nothing.
    expect(normalizeEntityRef(expected)).toBe(expected);
  });

  it.each(['', 'component:default/', ':default/x'])('refuses %j', ref => {
    expect(() => normalizeEntityRef(ref)).toThrow(InputError);
  });
});
