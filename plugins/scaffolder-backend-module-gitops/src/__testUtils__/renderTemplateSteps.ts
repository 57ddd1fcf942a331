import { createTemplateRenderer } from 'nunjitsu';

type Json = any;

export interface TemplateDocument {
  spec: {
    steps: Array<{
      id: string;
      action: string;
      if?: string | boolean;
      input?: Json;
    }>;
    output?: Json;
  };
}

export interface RenderedStep {
  id: string;
  action: string;
  input: Record<string, Json>;
}

const renderer = createTemplateRenderer({ allowRegexExecution: true });

/** Renders every string as the scaffolder's workflow runner does: a sole `${{ }}` keeps its JSON type. */
function render(value: Json, context: Json): Json {
  return JSON.parse(JSON.stringify(value), (_key, v) =>
    typeof v === 'string'
      ? renderer.renderValue(v, context, { coercion: 'json' })
      : v,
  );
}

function isTruthy(value: Json): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/**
 * Walks a template's steps with `parameters` the way the scaffolder does (skipping steps whose `if` is
 * falsy), rendering each input; `outputs` plays each action and returns its step's outputs. Unlike the
 * scaffolder, an expression that fails to render fails here instead of passing through as text.
 */
export function renderTemplateSteps(
  template: TemplateDocument,
  parameters: Json,
  outputs: (step: RenderedStep) => Record<string, Json>,
): { steps: RenderedStep[]; output: Json } {
  const context = { parameters, steps: {} as Record<string, { output: Json }> };
  const steps: RenderedStep[] = [];
  for (const step of template.spec.steps) {
    if (step.if !== undefined && !isTruthy(render(step.if, context))) {
      continue;
    }
    const rendered = {
      id: step.id,
      action: step.action,
      input: render(step.input ?? {}, context),
    };
    steps.push(rendered);
    context.steps[step.id] = { output: outputs(rendered) };
  }
  return { steps, output: render(template.spec.output ?? {}, context) };
}
