import type { SourceLocation } from '../errors';
import type { KubeObject } from '../types';
import type { CompiledExpression } from './ExpressionCompiler';

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
export type FailurePolicy = 'Fail' | 'Ignore';
export type PolicyOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Which objects a policy applies to; each list matches anything when it holds `*`. */
export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  kinds: string[];
  operations: string[];
}

/** A named CEL expression (a match condition or a variable). */
export interface NamedExpression {
  name: string;
  expression: CompiledExpression;
}

export interface PolicyValidation {
  expression: CompiledExpression;
  message?: string;
  messageExpression?: CompiledExpression;
  reason?: string;
}

/** A policy loaded from YAML with every expression already compiled. */
export interface Policy {
  name: string;
  source: SourceLocation;
  failurePolicy: FailurePolicy;
  validationActions: ValidationAction[];
  matchConstraints: {
    resourceRules: ResourceRule[];
    excludeResourceRules: ResourceRule[];
    /** Only these environments; all when undefined. */
    environments?: string[];
    /** Only these applications; all when undefined. */
    applications?: string[];
  };
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  params: unknown;
  validations: PolicyValidation[];
}

/** One object of a proposed change, as policies see it. */
export interface PolicyChange {
  /** The object after the change; null when it is deleted. */
  object: KubeObject | null;
  /** The object before the change; null or absent when it is created. */
  oldObject?: KubeObject | null;
  environment?: string;
  application?: string;
  /** Defaults from the objects: CREATE without oldObject, DELETE without object, else UPDATE. */
  operation?: PolicyOperation;
}

export interface PolicyResult {
  policy: string;
  /** Index in the policy's `validations`; -1 for a failure outside them (a match condition or variable). */
  validation: number;
  /** `group/Kind/namespace/name` of the object. */
  object: string;
  /** The strongest of the policy's validation actions. */
  action: ValidationAction;
  actions: ValidationAction[];
  allowed: boolean;
  message: string;
  /** Set when the expression could not be evaluated; `failurePolicy` decided `allowed`. */
  error?: { code: 'POLICY_EVALUATION' | 'POLICY_LIMIT'; message: string };
}

export type PolicyVerdictKind = 'allow' | 'warn' | 'deny';

export interface PolicyVerdict {
  verdict: PolicyVerdictKind;
  results: PolicyResult[];
}

/** Bounds on evaluation, on top of the compile-time limits. */
export interface EvaluationLimits {
  /** Comprehension elements one expression evaluation may walk. Default 100,000. */
  maxIterations?: number;
  /** Comprehension elements one `evaluatePolicies` call may walk in total. Default 10,000,000. */
  maxTotalIterations?: number;
  /** Time budget for one call, checked between evaluations; needs `now`. */
  timeBudgetMs?: number;
  /** Monotonic clock in milliseconds, injected so the engine itself reads no clock. */
  now?: () => number;
}
