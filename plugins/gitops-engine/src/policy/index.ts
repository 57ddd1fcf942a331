export {
  loadPolicies,
  POLICY_API_VERSION,
  POLICY_KIND,
  POLICY_VARIABLES,
} from './loadPolicies';
export { evaluatePolicies } from './evaluatePolicies';
export {
  DEFAULT_COMPILE_LIMITS,
  type CompileLimits,
  type CompiledExpression,
} from './ExpressionCompiler';
export type {
  EvaluationLimits,
  FailurePolicy,
  NamedExpression,
  Policy,
  PolicyChange,
  PolicyOperation,
  PolicyResult,
  PolicyValidation,
  PolicyVerdict,
  PolicyVerdictKind,
  ResourceRule,
  ValidationAction,
} from './types';
