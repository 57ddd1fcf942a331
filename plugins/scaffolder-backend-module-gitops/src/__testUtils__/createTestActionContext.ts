import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { JsonObject, JsonValue } from '@backstage/types';

/**
 * An action context as the scaffolder's workflow runner builds it. `checkpoints` plays the task's stored
 * state: pass the same map to a second run to resume the task, a fresh one to lose what the first stored.
 */
export function createTestActionContext(options: {
  input: JsonObject;
  taskId?: string;
  stepId?: string;
  isDryRun?: boolean;
  credentials?: BackstageCredentials;
  checkpoints?: Map<string, JsonValue>;
  signal?: AbortSignal;
}) {
  const outputs: Record<string, JsonValue> = {};
  const checkpoints = options.checkpoints ?? new Map<string, JsonValue>();
  const stepId = options.stepId ?? 'propose';
  const logger = mockServices.logger.mock();
  const ctx: ActionContext<any, any> = {
    input: options.input,
    logger,
    workspacePath: '.',
    task: { id: options.taskId ?? 'f3c2a1e0-0000-4000-8000-000000000001' },
    step: { id: stepId, name: stepId },
    isDryRun: options.isDryRun,
    signal: options.signal,
    getInitiatorCredentials: async () =>
      options.credentials ?? mockCredentials.user('user:default/alice'),
    async checkpoint({ key, fn }) {
      const stored = `v1.task.checkpoint.${stepId}.${key}`;
      if (checkpoints.has(stored)) {
        return checkpoints.get(stored) as any;
      }
      const value = await fn();
      checkpoints.set(stored, (value ?? {}) as JsonValue);
      return value;
    },
    output(name: string, value: JsonValue) {
      outputs[name] = value;
    },
    createTemporaryDirectory: async () => {
      throw new Error('not used by the GitOps actions');
    },
  };
  return { ctx, outputs, logger, checkpoints };
}
