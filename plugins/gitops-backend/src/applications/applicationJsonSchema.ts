import { z } from 'zod';
import { applicationDocumentSchema } from './applicationDocumentSchema';

/** The JSON Schema (draft 2020-12) of what authors write, for editors and CI; generated from the zod schema. */
export function applicationJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(applicationDocumentSchema, {
    io: 'input',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
}
