import {
  buildChangeSpec,
  emptyChangeForm,
  formFromPrefill,
  type ChangeForm,
} from './changeForm';
import { prefillFromSearch, prefillToSearch } from './changePrefill';

const form = (fields: Partial<ChangeForm>): ChangeForm => ({
  ...emptyChangeForm(),
  application: 'shop-api-dev',
  ...fields,
});

describe('buildChangeSpec', () => {
  it.each<[string, Partial<ChangeForm>, unknown]>([
    [
      'an image tag',
      { kind: 'image', tag: ' 1.5.0 ' },
      { type: 'image', application: 'shop-api-dev', tag: '1.5.0' },
    ],
    [
      'an image tag of one container of one workload',
      {
        kind: 'image',
        tag: '1.5.0',
        workloadKind: 'Deployment',
        workloadName: 'shop-api',
        container: 'web',
      },
      {
        type: 'image',
        application: 'shop-api-dev',
        workload: { kind: 'Deployment', name: 'shop-api' },
        container: 'web',
        tag: '1.5.0',
      },
    ],
    [
      'zero replicas',
      { kind: 'replicas', replicas: '0' },
      { type: 'replicas', application: 'shop-api-dev', replicas: 0 },
    ],
    [
      'an env var set to an empty string',
      { kind: 'env-set', envName: 'FEATURE_X', envValue: '' },
      {
        type: 'env',
        application: 'shop-api-dev',
        name: 'FEATURE_X',
        value: '',
      },
    ],
    [
      'an env var removed (null, not a leftover value)',
      { kind: 'env-unset', envName: 'FEATURE_X', envValue: 'left over' },
      {
        type: 'env',
        application: 'shop-api-dev',
        name: 'FEATURE_X',
        value: null,
      },
    ],
    [
      'requests only',
      { kind: 'resources', requestsCpu: '250m', requestsMemory: '256Mi' },
      {
        type: 'resources',
        application: 'shop-api-dev',
        requests: { cpu: '250m', memory: '256Mi' },
      },
    ],
    [
      'a promotion, ignoring a half-typed workload',
      {
        kind: 'promote',
        from: 'shop-api-dev',
        to: 'shop-api-prod',
        workloadKind: 'Deployment',
      },
      { type: 'promote', from: 'shop-api-dev', to: 'shop-api-prod' },
    ],
    [
      'a rollback',
      { kind: 'rollback', application: '', changeRequest: 'cr-7' },
      { type: 'rollback', changeRequest: 'cr-7' },
    ],
    [
      'a codify of a core-group resource',
      {
        kind: 'codify',
        resource: '/Secret/shop-dev/shop-api-db',
        path: 'data.password',
      },
      {
        type: 'codify',
        application: 'shop-api-dev',
        resource: {
          group: '',
          kind: 'Secret',
          namespace: 'shop-dev',
          name: 'shop-api-db',
        },
        path: 'data.password',
      },
    ],
  ])('builds %s', (_, fields, expected) => {
    expect(buildChangeSpec(form(fields))).toEqual({ spec: expected });
  });

  it.each<[string, Partial<ChangeForm>, RegExp]>([
    [
      'no application',
      { kind: 'image', application: '', tag: '1' },
      /application/,
    ],
    ['no tag', { kind: 'image' }, /image tag/],
    [
      'a tag with a space',
      { kind: 'image', tag: '1 5' },
      /not a valid image tag/,
    ],
    [
      'half a workload',
      { kind: 'replicas', replicas: '2', workloadName: 'x' },
      /workload/,
    ],
    ['negative replicas', { kind: 'replicas', replicas: '-1' }, /whole number/],
    [
      'fractional replicas',
      { kind: 'replicas', replicas: '1.5' },
      /whole number/,
    ],
    ['a bad env name', { kind: 'env-set', envName: '1=2' }, /variable name/],
    ['no quantity', { kind: 'resources' }, /at least one/],
    [
      'a bad quantity',
      { kind: 'resources', limitsMemory: '512 MB' },
      /"512 MB"/,
    ],
    [
      'a promotion to itself',
      { kind: 'promote', from: 'a', to: 'a' },
      /different/,
    ],
    ['a rollback of nothing', { kind: 'rollback' }, /merged change request/],
    [
      'a codify without a resource',
      { kind: 'codify', path: 'spec.replicas' },
      /group\/Kind/,
    ],
  ])('refuses %s', (_, fields, problem) => {
    const built = buildChangeSpec(form(fields));
    expect('problem' in built && built.problem).toMatch(problem);
  });
});

describe('change prefill', () => {
  it('reads the documented query string into the form', () => {
    const prefill = prefillFromSearch(
      new URLSearchParams(
        '?entity=component:default/shop-api&application=shop-api-prod&type=image',
      ),
    );
    expect(prefill).toEqual({
      entity: 'component:default/shop-api',
      application: 'shop-api-prod',
      type: 'image',
    });
    expect(formFromPrefill(prefill)).toMatchObject({
      kind: 'image',
      application: 'shop-api-prod',
    });
  });

  it('round-trips a codify link, resource included', () => {
    const prefill = {
      entity: 'component:default/shop-api',
      application: 'shop-api-dev',
      type: 'codify' as const,
      resource: {
        group: 'apps',
        kind: 'Deployment',
        namespace: 'shop-dev',
        name: 'shop-api',
      },
      path: 'spec.template.spec.containers[name=web].image',
    };
    expect(
      prefillFromSearch(new URLSearchParams(prefillToSearch(prefill))),
    ).toEqual(prefill);
  });

  it('drops an unknown type and a malformed resource', () => {
    expect(
      prefillFromSearch(new URLSearchParams('type=delete-all&resource=a/b')),
    ).toEqual({});
  });

  it('opens env changes as "set"', () => {
    expect(formFromPrefill({ type: 'env' }).kind).toBe('env-set');
  });
});
