import type { CelInput, CelValue } from '@bufbuild/cel';
import { EngineError } from '../errors';
import {
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  type KubeObject,
} from '../types';
import type { CompiledExpression, IterationBudget } from './ExpressionCompiler';
import type {
  EvaluationLimits,
  Policy,
  PolicyChange,
  PolicyOperation,
  PolicyResult,
  PolicyVerdict,
  PolicyVerdictKind,
  ResourceRule,
  ValidationAction,
} from './types';

const DEFAULT_MAX_ITERATIONS = 100_000;
const DEFAULT_MAX_TOTAL_ITERATIONS = 10_000_000;
const SEVERITY: ValidationAction[] = ['Deny', 'Warn', 'Audit'];

/** Budgets and conversions for one `evaluatePolicies` call. */
class Run {
  private readonly maxIterations: number;
  private totalRemaining: number;
  private readonly deadline: number | undefined;
  private readonly now: (() => number) | undefined;
  private readonly converted = new WeakMap<object, CelInput>();

  constructor(limits: EvaluationLimits) {
    this.maxIterations = limits.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    this.totalRemaining =
      limits.maxTotalIterations ?? DEFAULT_MAX_TOTAL_ITERATIONS;
    this.now = limits.now;
    this.deadline =
      limits.now && limits.timeBudgetMs !== undefined
        ? limits.now() + limits.timeBudgetMs
        : undefined;
  }

  evaluate(
    expression: CompiledExpression,
    bindings: Record<string, CelInput>,
  ): CelValue {
    if (this.deadline !== undefined && this.now!() > this.deadline) {
      throw new EngineError(
        'POLICY_LIMIT',
        'the time budget for policy evaluation is spent',
        expression.location,
      );
    }
    if (this.totalRemaining <= 0) {
      throw new EngineError(
        'POLICY_LIMIT',
        'the iteration budget for this evaluation is spent',
        expression.location,
      );
    }
    const budget: IterationBudget = {
      remaining: Math.min(this.maxIterations, this.totalRemaining),
      exhausted: false,
    };
    const start = budget.remaining;
    try {
      return expression.evaluate(bindings, budget);
    } finally {
      this.totalRemaining -= start - Math.max(budget.remaining, 0);
    }
  }

  /** Plain JSON to CEL input: whole numbers become CEL ints (bigint), as Kubernetes' CEL sees them. */
  toCel(value: unknown): CelInput {
    if (value === null || value === undefined) {
      return null;
    }
    if (typeof value === 'number') {
      return Number.isInteger(value) ? BigInt(value) : value;
    }
    if (typeof value !== 'object') {
      return value as CelInput;
    }
    const cached = this.converted.get(value);
    if (cached !== undefined) {
      return cached;
    }
    const result: CelInput = Array.isArray(value)
      ? value.map(item => this.toCel(item))
      : Object.fromEntries(
          Object.entries(value).map(([key, item]) => [key, this.toCel(item)]),
        );
    this.converted.set(value, result);
    return result;
  }
}

/**
 * Evaluates every matching policy on every object of a change and returns one result per validation and
 * object, plus the verdict: `deny` when a failed validation's actions include Deny, `warn` when one includes
 * Warn, else `allow`. An expression that cannot be evaluated (an error, or a limit reached) follows its
 * policy's `failurePolicy`: Fail counts it as a failed validation, Ignore as a passed one; its result carries
 * the error either way. Never throws for a policy's fault.
 */
export function evaluatePolicies(
  policies: ReadonlyArray<Policy>,
  changes: ReadonlyArray<PolicyChange>,
  limits: EvaluationLimits = {},
): PolicyVerdict {
  const run = new Run(limits);
  const results: PolicyResult[] = [];
  for (const change of changes) {
    const subject = change.object ?? change.oldObject;
    if (!subject) {
      continue;
    }
    const operation = change.operation ?? operationOf(change);
    const bindings: Record<string, CelInput> = {
      object: run.toCel(change.object ?? null),
      oldObject: run.toCel(change.oldObject ?? null),
      request: run.toCel({
        operation,
        environment: change.environment ?? '',
        application: change.application ?? '',
      }),
    };
    for (const policy of policies) {
      if (matches(policy, subject, operation, change)) {
        results.push(...evaluatePolicy(policy, subject, bindings, run));
      }
    }
  }
  const failed = results.filter(result => !result.allowed);
  let verdict: PolicyVerdictKind = 'allow';
  if (failed.some(result => result.actions.includes('Deny'))) {
    verdict = 'deny';
  } else if (failed.some(result => result.actions.includes('Warn'))) {
    verdict = 'warn';
  }
  return { verdict, results };
}

function evaluatePolicy(
  policy: Policy,
  subject: KubeObject,
  changeBindings: Record<string, CelInput>,
  run: Run,
): PolicyResult[] {
  const key = formatResourceKey(resourceKeyOf(subject));
  const action = SEVERITY.find(candidate =>
    policy.validationActions.includes(candidate),
  )!;
  const result = (
    validation: number,
    allowed: boolean,
    message: string,
    error?: EngineError,
  ): PolicyResult => ({
    policy: policy.name,
    validation,
    object: key,
    action,
    actions: policy.validationActions,
    allowed,
    message,
    ...(error
      ? {
          error: {
            code:
              error.code === 'POLICY_LIMIT'
                ? 'POLICY_LIMIT'
                : 'POLICY_EVALUATION',
            message: error.message,
          },
        }
      : {}),
  });
  // An expression that cannot be evaluated passes under Ignore and fails under Fail.
  const onError = (validation: number, error: EngineError): PolicyResult =>
    result(
      validation,
      policy.failurePolicy === 'Ignore',
      `${policy.failurePolicy === 'Ignore' ? 'ignored' : 'failed'}: ${
        error.message
      }`,
      error,
    );

  const bindings: Record<string, CelInput> = {
    ...changeBindings,
    params: run.toCel(policy.params),
    variables: {},
  };
  try {
    for (const condition of policy.matchConditions) {
      const matched = run.evaluate(condition.expression, bindings);
      if (typeof matched !== 'boolean') {
        throw new EngineError(
          'POLICY_EVALUATION',
          `policy ${policy.name}, matchConditions ${
            condition.name
          }: must be a bool, not ${describe(matched)}`,
          condition.expression.location,
        );
      }
      if (!matched) {
        return [];
      }
    }
    const variables: Record<string, CelInput> = {};
    for (const variable of policy.variables) {
      variables[variable.name] = run.evaluate(variable.expression, {
        ...bindings,
        variables,
      }) as CelInput;
    }
    bindings.variables = variables;
  } catch (error) {
    return [onError(-1, asEngineError(error))];
  }

  return policy.validations.map((validation, index) => {
    let passed: CelValue;
    try {
      passed = run.evaluate(validation.expression, bindings);
    } catch (error) {
      return onError(index, asEngineError(error));
    }
    if (typeof passed !== 'boolean') {
      return onError(
        index,
        new EngineError(
          'POLICY_EVALUATION',
          `policy ${
            policy.name
          }, validations[${index}]: must be a bool, not ${describe(passed)}`,
          validation.expression.location,
        ),
      );
    }
    if (passed) {
      return result(index, true, '');
    }
    return result(index, false, failureMessage(validation, bindings, run));
  });
}

/** A non-empty string from messageExpression, else the static message, else the expression itself. */
function failureMessage(
  validation: Policy['validations'][number],
  bindings: Record<string, CelInput>,
  run: Run,
): string {
  if (validation.messageExpression) {
    try {
      const text = run.evaluate(validation.messageExpression, bindings);
      if (typeof text === 'string' && text.trim() !== '') {
        return text;
      }
    } catch {
      // Kubernetes falls back to the static message when messageExpression fails; so do we.
    }
  }
  return (
    validation.message ?? `failed expression: ${validation.expression.source}`
  );
}

function matches(
  policy: Policy,
  object: KubeObject,
  operation: PolicyOperation,
  change: PolicyChange,
): boolean {
  const { environments, applications, resourceRules, excludeResourceRules } =
    policy.matchConstraints;
  if (environments && !environments.includes(change.environment ?? '')) {
    return false;
  }
  if (applications && !applications.includes(change.application ?? '')) {
    return false;
  }
  const hit = (rule: ResourceRule) => ruleMatches(rule, object, operation);
  return resourceRules.some(hit) && !excludeResourceRules.some(hit);
}

function ruleMatches(
  rule: ResourceRule,
  object: KubeObject,
  operation: PolicyOperation,
): boolean {
  const slash = object.apiVersion.indexOf('/');
  const version =
    slash < 0 ? object.apiVersion : object.apiVersion.slice(slash + 1);
  const anyOf = (list: string[], value: string) =>
    list.includes('*') || list.includes(value);
  return (
    anyOf(rule.apiGroups, groupOf(object.apiVersion)) &&
    anyOf(rule.apiVersions, version) &&
    anyOf(rule.kinds, object.kind) &&
    anyOf(rule.operations, operation)
  );
}

function asEngineError(error: unknown): EngineError {
  return error instanceof EngineError
    ? error
    : new EngineError(
        'POLICY_EVALUATION',
        (error as Error)?.message ?? String(error),
        {},
        { cause: error },
      );
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return typeof value === 'object'
    ? 'a list or map'
    : `${typeof value} ${String(value)}`;
}

function operationOf(change: PolicyChange): PolicyOperation {
  if (!change.oldObject) {
    return 'CREATE';
  }
  return change.object ? 'UPDATE' : 'DELETE';
}
