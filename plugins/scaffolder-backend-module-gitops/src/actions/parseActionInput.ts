import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import type { Zod } from '../schema/nameSchemas';

/**
 * Parses an action's input with its zod schema. The scaffolder validates only the JSON schema derived from
 * it, which has no defaults, refinements or transforms: this applies them and names every problem.
 */
export function parseActionInput<T extends z.ZodTypeAny>(
  actionId: string,
  schema: (zImpl: Zod) => T,
  input: unknown,
): z.output<T> {
  const result = schema(z).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(issue =>
      issue.path.length > 0
        ? `${issue.path.join('.')}: ${issue.message}`
        : issue.message,
    );
    throw new InputError(
      `Invalid input to ${actionId}: ${problems.join('; ')}`,
    );
  }
  return result.data;
}
