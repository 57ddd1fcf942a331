import { createHash } from 'node:crypto';

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function urlSafe(value: string, maxLength: number): string {
  return value.replace(/[^A-Za-z0-9-]/g, '-').slice(0, maxLength) || 'none';
}

/**
 * The idempotency key of one step's change request: the same task, step and body always give the same key,
 * so a retried or resumed task gets the first change request back instead of a second pull request. The
 * body's digest keeps `each` iterations of one step apart. At most 128 characters of `[A-Za-z0-9_-]`.
 */
export function changeIdempotencyKey(options: {
  taskId: string;
  stepId?: string;
  body: unknown;
}): string {
  const digest = createHash('sha256')
    .update(canonicalJson(options.body))
    .digest('hex')
    .slice(0, 20);
  return `scaffolder_${urlSafe(options.taskId, 64)}_${urlSafe(
    options.stepId ?? 'step',
    30,
  )}_${digest}`;
}
