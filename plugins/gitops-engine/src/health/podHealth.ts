import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { findCondition } from './conditions';

interface ContainerStatus {
  name?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number };
  };
  lastState?: {
    terminated?: { reason?: string; message?: string; exitCode?: number };
  };
}

interface PodStatus {
  phase?: string;
  message?: string;
  reason?: string;
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** Waiting reasons that mean the pod will not start by itself: ErrImagePull, CrashLoopBackOff, ... */
const FAILING_WAIT = /^Err|Error$|BackOff$/;

export function podHealth(obj: KubeObject): HealthResult {
  const status = (obj.status ?? {}) as PodStatus;
  const restartPolicy =
    (obj.spec as { restartPolicy?: string } | undefined)?.restartPolicy ??
    'Always';
  const containers = [
    ...(status.initContainerStatuses ?? []),
    ...(status.containerStatuses ?? []),
  ];
  if (restartPolicy === 'Always') {
    for (const container of containers) {
      const waiting = container.state?.waiting;
      if (waiting?.reason && FAILING_WAIT.test(waiting.reason)) {
        const detail = waiting.message ? `: ${waiting.message}` : '';
        return {
          status: 'Degraded',
          message: `Container ${container.name} is ${waiting.reason}${detail}`,
        };
      }
    }
  }
  switch (status.phase) {
    case 'Pending':
      return {
        status: 'Progressing',
        message: status.message ?? 'Pod is pending',
      };
    case 'Succeeded':
      return { status: 'Healthy', message: status.message ?? 'Pod completed' };
    case 'Failed':
      return {
        status: 'Degraded',
        message: status.message ?? failedContainerMessage(containers),
      };
    case 'Running': {
      if (restartPolicy !== 'Always')
        return { status: 'Progressing', message: 'Pod is running' };
      if (findCondition(status, 'Ready')?.status === 'True') {
        return { status: 'Healthy', message: 'Pod is running and ready' };
      }
      const restarted = containers.find(
        container => container.lastState?.terminated,
      );
      if (restarted) {
        const terminated = restarted.lastState!.terminated!;
        return {
          status: 'Degraded',
          message: `Container ${restarted.name} restarted: ${
            terminated.reason ?? 'terminated'
          } (exit code ${terminated.exitCode ?? '?'})`,
        };
      }
      return {
        status: 'Progressing',
        message: 'Waiting for containers to become ready',
      };
    }
    default:
      return {
        status: 'Unknown',
        message: status.message ?? `Pod phase ${status.phase ?? 'unknown'}`,
      };
  }
}

function failedContainerMessage(containers: ContainerStatus[]): string {
  for (const container of containers) {
    const terminated = container.state?.terminated;
    if (terminated && terminated.exitCode !== 0) {
      return `Container ${container.name} failed: ${
        terminated.message ??
        terminated.reason ??
        `exit code ${terminated.exitCode}`
      }`;
    }
  }
  return 'Pod failed';
}
