import { Scalar, isScalar } from 'yaml';
import { EngineError, type SourceLocation } from '../errors';
import { parseYaml, type YamlDocument } from '../yaml/parseYaml';
import { formatFieldPath, isPlainObject } from '../yaml/validateManifest';
import {
  ExpressionCompiler,
  type CompileLimits,
  type CompiledExpression,
  type LocateInExpression,
} from './ExpressionCompiler';
import type {
  FailurePolicy,
  NamedExpression,
  Policy,
  PolicyValidation,
  ResourceRule,
  ValidationAction,
} from './types';

export const POLICY_API_VERSION = 'gitops.backstage.io/v1alpha1';
export const POLICY_KIND = 'Policy';
/** The variables every policy expression may use. */
export const POLICY_VARIABLES = [
  'object',
  'oldObject',
  'params',
  'request',
  'variables',
] as const;

const ACTIONS: ValidationAction[] = ['Deny', 'Warn', 'Audit'];
const FAILURE_POLICIES: FailurePolicy[] = ['Fail', 'Ignore'];
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Path = Array<string | number>;

/** Checks one document field by field, so each error names the field and its line. */
class PolicyReader {
  private name = '(unnamed)';

  constructor(
    private readonly doc: YamlDocument,
    private readonly text: string,
    private readonly compiler: ExpressionCompiler,
  ) {}

  read(): Policy {
    const value = this.doc.value;
    if (!isPlainObject(value)) {
      this.fail([], 'a policy must be a mapping');
    }
    const root = value as Record<string, unknown>;
    if (root.apiVersion !== POLICY_API_VERSION || root.kind !== POLICY_KIND) {
      this.fail(
        [],
        `expected apiVersion ${POLICY_API_VERSION} and kind ${POLICY_KIND}, found ${String(
          root.apiVersion,
        )} ${String(root.kind)}`,
      );
    }
    const metadata = root.metadata;
    if (
      !isPlainObject(metadata) ||
      typeof metadata.name !== 'string' ||
      metadata.name === ''
    ) {
      this.fail(['metadata'], 'a policy needs metadata.name');
    }
    this.name = (metadata as { name: string }).name;
    const spec = this.mapping(root.spec, ['spec']);
    if (spec.paramKind !== undefined) {
      this.fail(
        ['spec', 'paramKind'],
        'paramKind is not supported; give the parameters inline under spec.params',
      );
    }
    const validations = this.list(spec.validations, ['spec', 'validations']);
    if (validations.length === 0) {
      this.fail(
        ['spec', 'validations'],
        'a policy needs at least one validation',
      );
    }
    const constraints =
      spec.matchConstraints === undefined
        ? {}
        : this.mapping(spec.matchConstraints, ['spec', 'matchConstraints']);
    return {
      name: this.name,
      source: this.where(['metadata', 'name']),
      failurePolicy: this.oneOf(
        spec.failurePolicy ?? 'Fail',
        FAILURE_POLICIES,
        ['spec', 'failurePolicy'],
      ),
      validationActions: this.actions(spec.validationActions),
      matchConstraints: {
        resourceRules: this.rules(constraints.resourceRules, 'resourceRules', [
          {
            apiGroups: ['*'],
            apiVersions: ['*'],
            kinds: ['*'],
            operations: ['*'],
          },
        ]),
        excludeResourceRules: this.rules(
          constraints.excludeResourceRules,
          'excludeResourceRules',
          [],
        ),
        environments: this.optionalStrings(constraints.environments, [
          'spec',
          'matchConstraints',
          'environments',
        ]),
        applications: this.optionalStrings(constraints.applications, [
          'spec',
          'matchConstraints',
          'applications',
        ]),
      },
      matchConditions: this.namedExpressions(
        spec.matchConditions,
        'matchConditions',
      ),
      variables: this.namedExpressions(spec.variables, 'variables'),
      params: spec.params ?? null,
      validations: validations.map((entry, index) =>
        this.validation(entry, index),
      ),
    };
  }

  private validation(entry: unknown, index: number): PolicyValidation {
    const path: Path = ['spec', 'validations', index];
    const validation = this.mapping(entry, path);
    const message = validation.message;
    if (message !== undefined && typeof message !== 'string') {
      this.fail([...path, 'message'], 'message must be a string');
    }
    return {
      expression: this.expression(
        validation.expression,
        [...path, 'expression'],
        `validations[${index}]`,
      ),
      message: message as string | undefined,
      messageExpression:
        validation.messageExpression === undefined
          ? undefined
          : this.expression(
              validation.messageExpression,
              [...path, 'messageExpression'],
              `validations[${index}].messageExpression`,
            ),
      reason:
        typeof validation.reason === 'string' ? validation.reason : undefined,
    };
  }

  private namedExpressions(
    value: unknown,
    field: 'matchConditions' | 'variables',
  ): NamedExpression[] {
    if (value === undefined) {
      return [];
    }
    const seen = new Set<string>();
    return this.list(value, ['spec', field]).map((entry, index) => {
      const path: Path = ['spec', field, index];
      const named = this.mapping(entry, path);
      const name = named.name;
      if (
        typeof name !== 'string' ||
        (field === 'variables' ? !VARIABLE_NAME.test(name) : name === '')
      ) {
        this.fail(
          [...path, 'name'],
          `${field}[${index}] needs a name${
            field === 'variables' ? ' that is an identifier' : ''
          }`,
        );
      }
      if (seen.has(name as string)) {
        this.fail(
          [...path, 'name'],
          `${field} has two entries named ${String(name)}`,
        );
      }
      seen.add(name as string);
      return {
        name: name as string,
        expression: this.expression(
          named.expression,
          [...path, 'expression'],
          `${field}[${index}] (${String(name)})`,
        ),
      };
    });
  }

  private expression(
    source: unknown,
    path: Path,
    describe: string,
  ): CompiledExpression {
    if (typeof source !== 'string') {
      this.fail(path, `${formatFieldPath(path)} must be a string`);
    }
    return this.compiler.compile(
      source as string,
      this.locator(path),
      `policy ${this.name}, ${describe}`,
    );
  }

  /** Maps a line:column inside an expression to the file, through the YAML scalar that holds it. */
  private locator(path: Path): LocateInExpression {
    const node = this.doc.document.getIn(path, true);
    const start = isScalar(node) && node.range ? node.range[0] : undefined;
    return (line, column) => {
      const base: SourceLocation = {
        ...this.where(path),
        path: formatFieldPath(path),
      };
      if (start === undefined) {
        return base;
      }
      const scalar = node as Scalar;
      const block =
        scalar.type === Scalar.BLOCK_LITERAL ||
        scalar.type === Scalar.BLOCK_FOLDED;
      const quoted =
        scalar.type === Scalar.QUOTE_DOUBLE ||
        scalar.type === Scalar.QUOTE_SINGLE;
      // Block scalars start on the line after their header; flow scalars on their own line, after any quote.
      const firstLine = block ? this.text.indexOf('\n', start) + 1 : start;
      let lineStart = firstLine;
      for (let skipped = 1; skipped < line && lineStart > 0; skipped++) {
        lineStart = this.text.indexOf('\n', lineStart) + 1;
      }
      if (firstLine <= 0 || lineStart <= 0) {
        return base;
      }
      // A block scalar's lines keep any indentation beyond the block's own; folded flow lines lose theirs.
      const leading = (from: number) =>
        /^[ \t]*/.exec(this.text.slice(from, from + 200))![0].length;
      let indent = 0;
      if (block) {
        indent = leading(firstLine);
      } else if (line > 1) {
        indent = leading(lineStart);
      }
      const offset =
        lineStart + indent + (quoted && line === 1 ? 1 : 0) + column - 1;
      return { ...base, ...this.doc.positionOf(offset) };
    };
  }

  private actions(value: unknown): ValidationAction[] {
    if (value === undefined) {
      return ['Deny'];
    }
    const path: Path = ['spec', 'validationActions'];
    const actions = this.list(value, path).map((action, index) =>
      this.oneOf(action, ACTIONS, [...path, index]),
    );
    if (actions.length === 0) {
      this.fail(
        path,
        'validationActions needs at least one of Deny, Warn, Audit',
      );
    }
    if (actions.includes('Deny') && actions.includes('Warn')) {
      this.fail(path, 'validationActions cannot hold both Deny and Warn');
    }
    return actions;
  }

  private rules(
    value: unknown,
    field: string,
    fallback: ResourceRule[],
  ): ResourceRule[] {
    if (value === undefined) {
      return fallback;
    }
    return this.list(value, ['spec', 'matchConstraints', field]).map(
      (entry, index) => {
        const path: Path = ['spec', 'matchConstraints', field, index];
        const rule = this.mapping(entry, path);
        if (rule.resources !== undefined && rule.kinds === undefined) {
          this.fail(
            [...path, 'resources'],
            'match by kinds (for example kinds: ["Deployment"]), not resources',
          );
        }
        const strings = (key: string) =>
          this.optionalStrings(rule[key], [...path, key]) ?? ['*'];
        return {
          apiGroups: strings('apiGroups'),
          apiVersions: strings('apiVersions'),
          kinds: strings('kinds'),
          operations: strings('operations').map(operation =>
            operation.toUpperCase(),
          ),
        };
      },
    );
  }

  private optionalStrings(value: unknown, path: Path): string[] | undefined {
    if (value === undefined) {
      return undefined;
    }
    const list = this.list(value, path);
    list.forEach((item, index) => {
      if (typeof item !== 'string') {
        this.fail(
          [...path, index],
          `${formatFieldPath(path)} must list strings`,
        );
      }
    });
    return list as string[];
  }

  private oneOf<T extends string>(
    value: unknown,
    allowed: readonly T[],
    path: Path,
  ): T {
    if (!allowed.includes(value as T)) {
      this.fail(
        path,
        `${formatFieldPath(path)} must be one of ${allowed.join(
          ', ',
        )}, not ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  }

  private mapping(value: unknown, path: Path): Record<string, unknown> {
    if (!isPlainObject(value)) {
      this.fail(path, `${formatFieldPath(path)} must be a mapping`);
    }
    return value as Record<string, unknown>;
  }

  private list(value: unknown, path: Path): unknown[] {
    if (!Array.isArray(value)) {
      this.fail(path, `${formatFieldPath(path)} must be a list`);
    }
    return value as unknown[];
  }

  private where(path: Path): SourceLocation {
    for (let length = path.length; length >= 0; length--) {
      const node = this.doc.document.getIn(path.slice(0, length), true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) {
        return { ...this.doc.location, ...this.doc.positionOf(node.range[0]) };
      }
    }
    return this.doc.location;
  }

  private fail(path: Path, message: string): never {
    throw new EngineError('POLICY_INVALID', `policy ${this.name}: ${message}`, {
      ...this.where(path),
      path: path.length > 0 ? formatFieldPath(path) : undefined,
    });
  }
}

/**
 * Reads `kind: Policy` documents (shaped like Kubernetes ValidatingAdmissionPolicy) and compiles every CEL
 * expression up front. A malformed policy is `EngineError('POLICY_INVALID')`; an expression that does not
 * compile is `EngineError('POLICY_COMPILE')` naming the file, policy, validation and the expression's line:column.
 */
export function loadPolicies(
  text: string,
  file?: string,
  limits?: CompileLimits,
): Policy[] {
  const compiler = new ExpressionCompiler(POLICY_VARIABLES, {
    maxExpressionLength: limits?.maxExpressionLength ?? 5000,
    maxNesting: limits?.maxNesting ?? 64,
  });
  const policies: Policy[] = [];
  for (const doc of parseYaml(text, { file })) {
    if (doc.value === null) {
      continue;
    }
    const policy = new PolicyReader(doc, text, compiler).read();
    const clash = policies.find(existing => existing.name === policy.name);
    if (clash) {
      throw new EngineError(
        'POLICY_INVALID',
        `policy ${policy.name} is declared twice (documents ${clash.source.document} and ${doc.index})`,
        policy.source,
      );
    }
    policies.push(policy);
  }
  return policies;
}
