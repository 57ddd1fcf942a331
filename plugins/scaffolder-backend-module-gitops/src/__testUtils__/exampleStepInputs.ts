import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/**
 * The inputs of every step of `actionId` in the examples, with `${{ expression }}` values replaced from
 * `values` as the scaffolder would render them. Fails on an expression `values` does not know.
 */
export function exampleStepInputs(
  examples: TemplateExample[],
  actionId: string,
  values: Record<string, unknown> = {},
): Array<[string, Record<string, unknown>]> {
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const expression = value.match(/^\$\{\{\s*(.+?)\s*\}\}$/)?.[1];
      if (expression === undefined) {
        return value;
      }
      if (!(expression in values)) {
        throw new Error(`No sample value for the expression ${expression}`);
      }
      return values[expression];
    }
    if (Array.isArray(value)) {
      return value.map(render);
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, render(v)]),
      );
    }
    return value;
  };
  return examples.flatMap(example => {
    const { steps } = yaml.parse(example.example) as {
      steps: Array<{ action: string; input: Record<string, unknown> }>;
    };
    return steps
      .filter(step => step.action === actionId)
      .map(
        step =>
          [
            example.description,
            render(step.input) as Record<string, unknown>,
          ] as [string, Record<string, unknown>],
      );
  });
}
