import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/** Validates request input, naming every bad field in one `InputError` (400). */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .map(issue => `${issue.path.join('.') || what}: ${issue.message}`)
      .join('; ');
    throw new InputError(`Invalid ${what}: ${issues}`);
  }
  return result.data;
}
