import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors';
import { loadPolicies } from './loadPolicies';

const fixture = readFileSync(
  path.join(__dirname, '..', '__fixtures__', 'policies', 'images.yaml'),
  'utf8',
);

function policy(spec: string, name = 'p'): string {
  return `apiVersion: gitops.backstage.io/v1alpha1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}

describe('loadPolicies', () => {
  it('reads policies with their defaults and compiled expressions', () => {
    const [images, replicas] = loadPolicies(fixture, 'policies/images.yaml');
    expect(images).toMatchObject({
      name: 'no-latest-tag',
      source: { file: 'policies/images.yaml', document: 0, line: 5 },
      failurePolicy: 'Fail',
      validationActions: ['Deny'],
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['apps'],
            apiVersions: ['*'],
            kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
            operations: ['CREATE', 'UPDATE'],
          },
        ],
        excludeResourceRules: [],
      },
    });
    expect(images.validations[0].expression.location).toMatchObject({
      file: 'policies/images.yaml',
      line: 15,
      column: 20,
    });
    expect(replicas).toMatchObject({
      failurePolicy: 'Fail',
      validationActions: ['Warn'],
      params: { minReplicas: 2, maxReplicas: 20 },
    });
    expect(replicas.validations[0].expression.location).toMatchObject({
      line: 34,
      column: 9,
    });
  });

  describe('points compile errors at the expression', () => {
    it.each<[string, string, string, { line: number; column: number }]>([
      [
        'a syntax error in a quoted expression',
        '  validations:\n    - expression: "object.spec.replicas >"\n',
        'validations[0]: syntax error',
        { line: 7, column: 41 },
      ],
      [
        'a syntax error on the second line of a block expression',
        '  validations:\n    - expression: "true"\n    - expression: |-\n        object.spec.replicas > 1 &&\n          object.spec.replicas <\n',
        'validations[1]: syntax error',
        { line: 10, column: 32 },
      ],
      [
        'an unknown variable',
        '  validations:\n    - expression: "objet.spec.replicas > 1"\n',
        "validations[0]: undeclared reference to 'objet'",
        { line: 7, column: 20 },
      ],
      [
        'an unknown function',
        "  validations:\n    - expression: 'object.metadata.name.frobnicate()'\n",
        "validations[0]: unknown function 'frobnicate'",
        { line: 7, column: 40 },
      ],
      [
        'a bad messageExpression',
        '  validations:\n    - expression: "true"\n      messageExpression: "\'a\' +"\n',
        'validations[0].messageExpression: syntax error',
        { line: 8, column: 31 },
      ],
      [
        'a bad match condition',
        '  matchConditions:\n    - name: only-prod\n      expression: "request.environment =="\n  validations:\n    - expression: "true"\n',
        'matchConditions[0] (only-prod): syntax error',
        { line: 8, column: 40 },
      ],
    ])('%s', (_name, spec, message, where) => {
      const error = thrown(() =>
        loadPolicies(policy(spec, 'shop-rules'), 'policies/shop.yaml'),
      );
      expect(error.code).toBe('POLICY_COMPILE');
      expect(error.message).toContain(`policy shop-rules, ${message}`);
      expect(error.location).toMatchObject({
        file: 'policies/shop.yaml',
        document: 0,
        ...where,
      });
    });

    it('refuses an expression longer than the limit', () => {
      const long = `object.metadata.name == '${'x'.repeat(6000)}'`;
      const error = thrown(() =>
        loadPolicies(
          policy(`  validations:\n    - expression: "${long}"\n`),
          'p.yaml',
        ),
      );
      expect(error).toMatchObject({
        code: 'POLICY_COMPILE',
        location: { file: 'p.yaml', line: 7 },
      });
      expect(error.message).toContain('more than the limit of 5000');
    });

    it('refuses an expression nested too deeply to parse', () => {
      const deep = `${'('.repeat(2400)}true${')'.repeat(2400)}`;
      const error = thrown(() =>
        loadPolicies(
          policy(`  validations:\n    - expression: "${deep}"\n`),
          'p.yaml',
        ),
      );
      expect(error.code).toBe('POLICY_COMPILE');
      expect(error.message).toContain('nests too deeply');
    }, 10_000);

    it('refuses nesting beyond the configured limit', () => {
      const nested = 'object.a.all(x, object.b.all(y, object.c.all(z, true)))';
      const error = thrown(() =>
        loadPolicies(
          policy(`  validations:\n    - expression: "${nested}"\n`),
          'p.yaml',
          { maxNesting: 4 },
        ),
      );
      expect(error.message).toContain('nests deeper than the limit of 4');
    });
  });

  describe('refuses malformed policies, naming the field', () => {
    it.each<[string, string, string, number]>([
      [
        'no validations',
        '  failurePolicy: Fail\n',
        'spec.validations must be a list',
        6,
      ],
      [
        'an empty validation list',
        '  validations: []\n',
        'at least one validation',
        6,
      ],
      [
        'an unknown failure policy',
        '  failurePolicy: Maybe\n  validations:\n    - expression: "true"\n',
        'spec.failurePolicy must be one of Fail, Ignore, not "Maybe"',
        6,
      ],
      [
        'an unknown action',
        '  validationActions: [Block]\n  validations:\n    - expression: "true"\n',
        'must be one of Deny, Warn, Audit',
        6,
      ],
      [
        'Deny together with Warn',
        '  validationActions: [Deny, Warn]\n  validations:\n    - expression: "true"\n',
        'cannot hold both Deny and Warn',
        6,
      ],
      [
        'a numeric expression',
        '  validations:\n    - expression: 42\n',
        'spec.validations[0].expression must be a string',
        7,
      ],
      [
        'paramKind',
        '  paramKind: {kind: ConfigMap}\n  validations:\n    - expression: "true"\n',
        'paramKind is not supported',
        6,
      ],
      [
        'resources instead of kinds',
        '  matchConstraints:\n    resourceRules:\n      - resources: [deployments]\n  validations:\n    - expression: "true"\n',
        'match by kinds',
        8,
      ],
      [
        'a variable that is not an identifier',
        '  variables:\n    - name: my-var\n      expression: "1"\n  validations:\n    - expression: "true"\n',
        'needs a name that is an identifier',
        7,
      ],
    ])('%s', (_name, spec, message, line) => {
      const error = thrown(() => loadPolicies(policy(spec), 'p.yaml'));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.message).toContain(message);
      expect(error.location).toMatchObject({ file: 'p.yaml', line });
    });

    it('refuses a document that is not a Policy', () => {
      expect(
        thrown(() =>
          loadPolicies(
            'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
            'p.yaml',
          ),
        ).message,
      ).toContain(
        'expected apiVersion gitops.backstage.io/v1alpha1 and kind Policy',
      );
    });

    it('refuses two policies with one name', () => {
      const text = `${policy(
        '  validations:\n    - expression: "true"\n',
        'same',
      )}---\n${policy('  validations:\n    - expression: "true"\n', 'same')}`;
      expect(thrown(() => loadPolicies(text, 'p.yaml'))).toMatchObject({
        code: 'POLICY_INVALID',
        location: { document: 1 },
      });
    });

    it('refuses broken YAML with the parser’s error', () => {
      expect(thrown(() => loadPolicies('spec: [\n', 'p.yaml'))).toMatchObject({
        code: 'YAML_SYNTAX',
        location: { file: 'p.yaml' },
      });
    });
  });
});
