import { changeIdempotencyKey } from './changeIdempotencyKey';

const body = {
  title: 'Bump',
  changes: [{ type: 'image', application: 'a-dev', tag: '1' }],
};
const base = {
  taskId: 'f3c2a1e0-0000-4000-8000-000000000001',
  stepId: 'propose',
  body,
};

describe('changeIdempotencyKey', () => {
  it('is the same for the same task, step and body, whatever the key order', () => {
    expect(changeIdempotencyKey(base)).toBe(
      changeIdempotencyKey({
        ...base,
        body: {
          changes: [{ tag: '1', application: 'a-dev', type: 'image' }],
          title: 'Bump',
        },
      }),
    );
  });

  it.each([
    ['task', { taskId: 'another-task' }],
    ['step', { stepId: 'propose-prod' }],
    ['body', { body: { ...body, title: 'Bump again' } }],
  ])('differs for another %s', (_, override) => {
    expect(changeIdempotencyKey({ ...base, ...override })).not.toBe(
      changeIdempotencyKey(base),
    );
  });

  it('stays within 128 URL-safe characters for any task and step id', () => {
    const key = changeIdempotencyKey({
      taskId: `${'x'.repeat(300)}/../ü`,
      stepId: 'step with spaces & {{ braces }}',
      body,
    });
    expect(key).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
  });
});
