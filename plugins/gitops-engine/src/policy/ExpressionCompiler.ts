import {
  CelScalar,
  celEnv,
  celFunc,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelValue,
} from '@bufbuild/cel';
import { EngineError, type SourceLocation } from '../errors';

/** Static limits on an expression, checked when it is compiled. */
export interface CompileLimits {
  /** Longest expression source, in characters. Default 5,000 (Kubernetes allows 5 KiB). */
  maxExpressionLength?: number;
  /** Deepest nesting of the parsed expression. Default 64. */
  maxNesting?: number;
}

/**
 * The iterations an evaluation may still spend. Every comprehension (`all`, `exists`, `exists_one`, `map`,
 * `filter`) charges the size of the list or map it walks before walking it, so nested loops over large
 * lists are refused up front instead of run.
 */
export interface IterationBudget {
  remaining: number;
  exhausted: boolean;
}

/** An expression parsed, checked and planned once, evaluated many times. */
export interface CompiledExpression {
  readonly source: string;
  /** Where the expression is written (file, document, line:column of its first character). */
  readonly location: SourceLocation;
  /** Runs the expression; throws `EngineError('POLICY_EVALUATION' | 'POLICY_LIMIT')`. */
  evaluate(
    bindings: Record<string, CelInput>,
    budget: IterationBudget,
  ): CelValue;
}

/** Maps a one-based line and column inside the expression to its place in the file. */
export type LocateInExpression = (
  line: number,
  column: number,
) => SourceLocation;

export const DEFAULT_COMPILE_LIMITS: Required<CompileLimits> = {
  maxExpressionLength: 5000,
  maxNesting: 64,
};

// Operators the planner evaluates itself; every other call must name a function the environment knows.
const PLANNER_OPERATORS = new Set([
  '_?_:_',
  '_&&_',
  '_||_',
  '_[_]',
  '_[?_]',
  '@not_strictly_false',
  '__not_strictly_false__',
]);
// No expression can spell this name, so only the compiler's rewrite can call it.
const GUARD_FUNCTION = '@gitops_iteration_guard';
const ACCUMULATOR = '@result';
// Type names are identifiers too (`type(x) == int`).
const TYPE_NAMES = [
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
];

/** One CEL environment per policy set: it owns the budget its guard charges, so nothing is global. */
export class ExpressionCompiler {
  private readonly env: CelEnv;
  private active: IterationBudget | undefined;
  private nextId = 1n << 40n;

  constructor(
    private readonly variables: readonly string[],
    private readonly limits: Required<CompileLimits> = DEFAULT_COMPILE_LIMITS,
  ) {
    const guard = celFunc(
      GUARD_FUNCTION,
      [CelScalar.DYN],
      CelScalar.DYN,
      range => {
        const budget = this.active;
        const size = isCelList(range) || isCelMap(range) ? range.size : 0;
        if (budget && (budget.exhausted || budget.remaining < size)) {
          // An empty range ends every loop at once and costs no error objects; the caller reports the limit.
          budget.exhausted = true;
          return [];
        }
        if (budget) {
          budget.remaining -= size;
        }
        return range as CelInput;
      },
    );
    this.env = celEnv({
      variables: Object.fromEntries(
        variables.map(name => [name, CelScalar.DYN]),
      ),
      funcs: [guard],
    });
  }

  /** Parses, checks names and plans `source`; throws `EngineError('POLICY_COMPILE')` pointing into the file. */
  compile(
    source: string,
    locate: LocateInExpression,
    describe: string,
  ): CompiledExpression {
    const fail = (message: string, line = 1, column = 1): never => {
      throw new EngineError(
        'POLICY_COMPILE',
        `${describe}: ${message}`,
        locate(line, column),
      );
    };
    if (typeof source !== 'string' || source.trim() === '') {
      fail('the expression is empty');
    }
    if (source.length > this.limits.maxExpressionLength) {
      fail(
        `the expression is ${source.length} characters, more than the limit of ${this.limits.maxExpressionLength}`,
      );
    }
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(source);
    } catch (error) {
      if ((error as Error)?.name === 'RangeError') {
        return fail('the expression nests too deeply');
      }
      const where = (
        error as { location?: { start?: { line: number; column: number } } }
      ).location?.start;
      const message =
        (error as { rawMessage?: string }).rawMessage ??
        (error as Error).message;
      return fail(`syntax error: ${message}`, where?.line, where?.column);
    }
    const positions: Record<string, number> =
      parsed.sourceInfo?.positions ?? {};
    const at = (id: bigint) =>
      lineAndColumn(source, positions[id.toString()] ?? 0);
    this.check(
      parsed.expr,
      new Set([...this.variables, ...TYPE_NAMES]),
      0,
      (message, id): never => {
        const { line, column } = at(id);
        return fail(message, line, column);
      },
    );
    let program: ReturnType<typeof plan>;
    try {
      program = plan(this.env, parsed);
    } catch (error) {
      return fail((error as Error).message);
    }
    const location = locate(1, 1);
    return {
      source,
      location,
      evaluate: (bindings, budget) => {
        this.active = budget;
        let result: CelValue | ReturnType<typeof program>;
        try {
          result = program(bindings);
        } catch (error) {
          // The evaluator recurses; a pathological input can still exhaust the stack.
          throw new EngineError(
            'POLICY_LIMIT',
            `${describe}: evaluation ran out of stack`,
            location,
            { cause: error },
          );
        } finally {
          this.active = undefined;
        }
        if (budget.exhausted) {
          throw new EngineError(
            'POLICY_LIMIT',
            `${describe}: evaluation exceeded its iteration budget (comprehensions over too many elements)`,
            location,
          );
        }
        if (isCelError(result)) {
          // Deeply nested values (lists grown by map/filter) can exhaust the evaluator's stack.
          const code =
            (result.cause as Error | undefined)?.name === 'RangeError'
              ? 'POLICY_LIMIT'
              : 'POLICY_EVALUATION';
          throw new EngineError(
            code,
            `${describe}: ${result.message}`,
            location,
            { cause: result },
          );
        }
        return result as CelValue;
      },
    };
  }

  /**
   * Walks the parsed expression: refuses unknown variables and functions and deep nesting, and wraps
   * every comprehension's range in the iteration guard.
   */
  private check(
    expr: Expr | undefined,
    scope: ReadonlySet<string>,
    depth: number,
    fail: (message: string, id: bigint) => never,
  ): void {
    if (!expr?.exprKind) {
      return;
    }
    if (depth > this.limits.maxNesting) {
      fail(
        `the expression nests deeper than the limit of ${this.limits.maxNesting}`,
        expr.id,
      );
    }
    const kind = expr.exprKind;
    const next = depth + 1;
    switch (kind.case) {
      case 'identExpr':
        if (!scope.has(kind.value.name)) {
          fail(
            `undeclared reference to '${
              kind.value.name
            }' (known: ${this.variables.join(', ')})`,
            expr.id,
          );
        }
        return;
      case 'selectExpr':
        this.check(kind.value.operand, scope, next, fail);
        return;
      case 'callExpr': {
        const name = kind.value.function;
        if (!PLANNER_OPERATORS.has(name) && !this.env.funcs.find(name)) {
          fail(`unknown function '${name}'`, expr.id);
        }
        this.check(kind.value.target, scope, next, fail);
        kind.value.args.forEach(arg => this.check(arg, scope, next, fail));
        return;
      }
      case 'listExpr':
        kind.value.elements.forEach(element =>
          this.check(element, scope, next, fail),
        );
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') {
            this.check(entry.keyKind.value, scope, next, fail);
          }
          this.check(entry.value, scope, next, fail);
        }
        return;
      case 'comprehensionExpr': {
        const loop = kind.value;
        this.check(loop.iterRange, scope, next, fail);
        this.check(loop.accuInit, scope, next, fail);
        const inner = new Set(scope)
          .add(loop.iterVar)
          .add(loop.accuVar ?? ACCUMULATOR);
        const second = (loop as { iterVar2?: string }).iterVar2;
        if (second) {
          inner.add(second);
        }
        this.check(loop.loopCondition, inner, next, fail);
        this.check(loop.loopStep, inner, next, fail);
        this.check(
          loop.result,
          new Set(scope).add(loop.accuVar ?? ACCUMULATOR),
          next,
          fail,
        );
        loop.iterRange = this.guarded(loop.iterRange);
        return;
      }
      default:
        return;
    }
  }

  private guarded(range: Expr | undefined): Expr {
    return {
      $typeName: 'cel.expr.Expr',
      id: this.nextId++,
      exprKind: {
        case: 'callExpr',
        value: {
          $typeName: 'cel.expr.Expr.Call',
          function: GUARD_FUNCTION,
          args: range ? [range] : [],
        },
      },
    } as Expr;
  }
}

type Expr = ReturnType<typeof parse>['expr'];

function lineAndColumn(
  source: string,
  offset: number,
): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
