import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../types';
import { evaluatePolicies } from './evaluatePolicies';
import { loadPolicies } from './loadPolicies';
import type { PolicyChange } from './types';

const fixturePolicies = loadPolicies(
  readFileSync(
    path.join(__dirname, '..', '__fixtures__', 'policies', 'images.yaml'),
    'utf8',
  ),
  'policies/images.yaml',
);

function deployment(
  images: string[],
  replicas?: number,
  name = 'shop',
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: {
        spec: {
          containers: images.map((image, i) => ({ name: `c${i}`, image })),
        },
      },
    },
  };
}

function policy(spec: string, name = 'p'): string {
  return `apiVersion: gitops.backstage.io/v1alpha1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

describe('evaluatePolicies', () => {
  it.each<[string, PolicyChange, 'allow' | 'warn' | 'deny', string[]]>([
    [
      'pinned images, replicas in bounds',
      { object: deployment(['shop:1.4.2'], 3), environment: 'prod' },
      'allow',
      [],
    ],
    [
      'a latest tag',
      {
        object: deployment(['shop:1.4.2', 'proxy:latest'], 3),
        environment: 'prod',
      },
      'deny',
      ['no-latest-tag: images must be pinned to a tag other than latest'],
    ],
    [
      'an untagged image',
      { object: deployment(['shop'], 3) },
      'deny',
      ['no-latest-tag: images must be pinned to a tag other than latest'],
    ],
    [
      'one replica in prod',
      { object: deployment(['shop:1'], 1), environment: 'prod' },
      'warn',
      ['replica-bounds: replicas must be between 2 and 20, not 1'],
    ],
    [
      'one replica in staging (policy scoped to prod)',
      { object: deployment(['shop:1'], 1), environment: 'staging' },
      'allow',
      [],
    ],
    [
      'no replicas field',
      { object: deployment(['shop:1']), environment: 'prod' },
      'allow',
      [],
    ],
    [
      'a deletion (operation not matched)',
      { object: null, oldObject: deployment(['shop:latest'], 1) },
      'allow',
      [],
    ],
    [
      'another kind',
      {
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c' },
        },
      },
      'allow',
      [],
    ],
  ])('%s', (_name, change, verdict, failures) => {
    const result = evaluatePolicies(fixturePolicies, [change]);
    expect(result.verdict).toBe(verdict);
    expect(
      result.results
        .filter(r => !r.allowed)
        .map(r => `${r.policy}: ${r.message}`),
    ).toEqual(failures);
  });

  it('reports every validation with its object key and action', () => {
    const { results } = evaluatePolicies(fixturePolicies, [
      {
        object: deployment(['shop:latest'], 50),
        environment: 'prod',
        application: 'shop-prod',
      },
    ]);
    expect(results).toEqual([
      {
        policy: 'no-latest-tag',
        validation: 0,
        object: 'apps/Deployment/shop/shop',
        action: 'Deny',
        actions: ['Deny'],
        allowed: false,
        message: 'images must be pinned to a tag other than latest',
      },
      {
        policy: 'replica-bounds',
        validation: 0,
        object: 'apps/Deployment/shop/shop',
        action: 'Warn',
        actions: ['Warn'],
        allowed: false,
        message: 'replicas must be between 2 and 20, not 50',
      },
    ]);
  });

  it('binds oldObject, request and variables, and honours matchConditions', () => {
    const [rule] = loadPolicies(
      policy(
        [
          '  validationActions: [Deny, Audit]',
          '  matchConditions:',
          '    - name: updates-only',
          "      expression: request.operation == 'UPDATE'",
          '  variables:',
          '    - name: before',
          '      expression: "oldObject.spec.replicas"',
          '    - name: drop',
          '      expression: "variables.before - object.spec.replicas"',
          '  validations:',
          '    - expression: "variables.drop <= 2"',
          "      messageExpression: \"request.application + ': scaling down by ' + string(variables.drop) + ' at once'\"",
          '',
        ].join('\n'),
        'gentle-scale-down',
      ),
      'p.yaml',
    );
    const change = (from: number, to: number): PolicyChange => ({
      oldObject: deployment(['a:1'], from),
      object: deployment(['a:1'], to),
      application: 'shop-prod',
    });
    expect(evaluatePolicies([rule], [change(10, 9)]).verdict).toBe('allow');
    const denied = evaluatePolicies([rule], [change(10, 5)]);
    expect(denied.verdict).toBe('deny');
    expect(denied.results[0]).toMatchObject({
      action: 'Deny',
      actions: ['Deny', 'Audit'],
      message: 'shop-prod: scaling down by 5 at once',
    });
    expect(
      evaluatePolicies([rule], [{ object: deployment(['a:1'], 1) }]).results,
    ).toEqual([]);
  });

  it('records Audit-only failures without changing the verdict', () => {
    const [audit] = loadPolicies(
      policy(
        '  validationActions: [Audit]\n  validations:\n    - expression: "false"\n',
      ),
      'p.yaml',
    );
    const result = evaluatePolicies([audit], [{ object: deployment(['a:1']) }]);
    expect(result.verdict).toBe('allow');
    expect(result.results[0]).toMatchObject({
      allowed: false,
      action: 'Audit',
      message: 'failed expression: false',
    });
  });

  describe('evaluation errors follow failurePolicy', () => {
    it.each<[string, 'Fail' | 'Ignore', 'allow' | 'deny', boolean]>([
      ['Fail denies', 'Fail', 'deny', false],
      ['Ignore allows', 'Ignore', 'allow', true],
    ])('%s', (_name, failurePolicy, verdict, allowed) => {
      const [rule] = loadPolicies(
        policy(
          `  failurePolicy: ${failurePolicy}\n  validations:\n    - expression: "object.spec.missing.field == 1"\n`,
        ),
        'p.yaml',
      );
      const result = evaluatePolicies(
        [rule],
        [{ object: deployment(['a:1']) }],
      );
      expect(result.verdict).toBe(verdict);
      expect(result.results[0]).toMatchObject({
        allowed,
        error: {
          code: 'POLICY_EVALUATION',
          message: expect.stringContaining(
            'p.yaml, document 0, line 8:20, spec.validations[0].expression: policy p, validations[0]: field not found: missing',
          ),
        },
      });
    });

    it('a non-boolean validation is an evaluation error', () => {
      const [rule] = loadPolicies(
        policy('  validations:\n    - expression: "object.metadata.name"\n'),
        'p.yaml',
      );
      expect(
        evaluatePolicies([rule], [{ object: deployment(['a:1']) }]).results[0],
      ).toMatchObject({
        allowed: false,
        error: {
          code: 'POLICY_EVALUATION',
          message: expect.stringContaining('must be a bool, not string shop'),
        },
      });
    });
  });

  describe('bounds evaluation', () => {
    const range = `[${Array.from({ length: 300 }, (_, i) => i).join(',')}]`;

    it.each<[string, string]>([
      [
        'nested all over lists built in the expression',
        `${range}.all(a, ${range}.all(b, ${range}.all(c, a + b + c >= 0)))`,
      ],
      [
        'nested exists_one, which cannot stop early',
        `${range}.exists_one(a, ${range}.exists_one(b, ${range}.exists_one(c, a == b && b == c)))`,
      ],
      [
        'map inside map',
        `size(${range}.map(a, ${range}.map(b, ${range}.map(c, c)))) > 0`,
      ],
    ])(
      'ends %s with POLICY_LIMIT',
      (_name, expression) => {
        for (const failurePolicy of ['Fail', 'Ignore']) {
          const [rule] = loadPolicies(
            policy(
              `  failurePolicy: ${failurePolicy}\n  validations:\n    - expression: "${expression}"\n`,
            ),
            'slow.yaml',
          );
          const result = evaluatePolicies(
            [rule],
            [{ object: deployment(['a:1']) }],
          );
          expect(result.results[0]).toMatchObject({
            allowed: failurePolicy === 'Ignore',
            error: {
              code: 'POLICY_LIMIT',
              message: expect.stringContaining('iteration budget'),
            },
          });
          expect(result.verdict).toBe(
            failurePolicy === 'Ignore' ? 'allow' : 'deny',
          );
        }
      },
      20_000,
    );

    it('ends a stack-exhausting evaluation with POLICY_LIMIT', () => {
      const [rule] = loadPolicies(
        policy(
          '  validations:\n    - expression: "object.items.map(x, x)[0] == 0"\n',
        ),
        'p.yaml',
      );
      const object = {
        ...deployment(['a:1']),
        items: Array.from({ length: 50_000 }, (_, i) => i),
      };
      expect(
        evaluatePolicies([rule], [{ object }]).results[0].error?.code,
      ).toBe('POLICY_LIMIT');
    }, 20_000);

    it('charges large lists in the object too', () => {
      const [rule] = loadPolicies(
        policy(
          '  validations:\n    - expression: "object.spec.template.spec.containers.all(c, c.image != \'\')"\n',
        ),
        'p.yaml',
      );
      const images = Array.from({ length: 50 }, (_, i) => `img:${i}`);
      expect(
        evaluatePolicies([rule], [{ object: deployment(images) }], {
          maxIterations: 100,
        }).results[0].allowed,
      ).toBe(true);
      expect(
        evaluatePolicies([rule], [{ object: deployment(images) }], {
          maxIterations: 10,
        }).results[0].error?.code,
      ).toBe('POLICY_LIMIT');
    });

    it('stops once the total budget of a call is spent, keeping later objects’ results typed', () => {
      const [rule] = loadPolicies(
        policy(
          '  validations:\n    - expression: "object.spec.template.spec.containers.all(c, true)"\n',
        ),
        'p.yaml',
      );
      const changes = Array.from({ length: 5 }, (_, i) => ({
        object: deployment(['a:1', 'b:1', 'c:1'], 1, `d${i}`),
      }));
      const { results } = evaluatePolicies([rule], changes, {
        maxTotalIterations: 7,
      });
      expect(results.map(r => r.error?.code ?? 'ok')).toEqual([
        'ok',
        'ok',
        'POLICY_LIMIT',
        'POLICY_LIMIT',
        'POLICY_LIMIT',
      ]);
    });

    it('checks an injected clock between evaluations', () => {
      let now = 0;
      const clock = () => {
        now += 40;
        return now;
      };
      const [rule] = loadPolicies(
        policy('  validations:\n    - expression: "true"\n'),
        'p.yaml',
      );
      const changes = Array.from({ length: 4 }, (_, i) => ({
        object: deployment(['a:1'], 1, `d${i}`),
      }));
      const { results } = evaluatePolicies([rule], changes, {
        now: clock,
        timeBudgetMs: 100,
      });
      expect(results.map(r => r.error?.code ?? 'ok')).toEqual([
        'ok',
        'ok',
        'POLICY_LIMIT',
        'POLICY_LIMIT',
      ]);
      expect(results[2].error?.message).toContain('time budget');
    });
  });

  it('sees whole numbers as CEL ints, as Kubernetes does', () => {
    const [rule] = loadPolicies(
      policy(
        '  validations:\n    - expression: "type(object.spec.replicas) == int && object.spec.replicas + 1 == 4"\n',
      ),
      'p.yaml',
    );
    expect(
      evaluatePolicies([rule], [{ object: deployment(['a:1'], 3) }]).verdict,
    ).toBe('allow');
  });
});
