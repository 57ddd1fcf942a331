import type { KubeObject } from '../types';
import type { HealthResult } from './HealthResult';
import { describeCondition, findCondition } from './conditions';

interface WorkloadSpec {
  replicas?: number;
  paused?: boolean;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
}

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
}

function parts(obj: KubeObject) {
  return {
    spec: (obj.spec ?? {}) as WorkloadSpec,
    status: (obj.status ?? {}) as WorkloadStatus,
    generation: obj.metadata?.generation ?? 0,
  };
}

function notObserved(generation: number): HealthResult {
  return {
    status: 'Progressing',
    message: `Waiting for the controller to observe generation ${generation}`,
  };
}

export function deploymentHealth(obj: KubeObject): HealthResult {
  const { spec, status, generation } = parts(obj);
  if (spec.paused)
    return { status: 'Suspended', message: 'Deployment is paused' };
  if (generation > (status.observedGeneration ?? 0))
    return notObserved(generation);
  const progressing = findCondition(status, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      status: 'Degraded',
      message: `Deployment "${obj.metadata.name}" exceeded its progress deadline`,
    };
  }
  const desired = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const current = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout: ${updated} of ${desired} replicas are updated`,
    };
  }
  if (current > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout: ${
        current - updated
      } old replicas are pending termination`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout: ${available} of ${updated} updated replicas are available`,
    };
  }
  return {
    status: 'Healthy',
    message: `${available} of ${desired} replicas available`,
  };
}

export function statefulSetHealth(obj: KubeObject): HealthResult {
  const { spec, status, generation } = parts(obj);
  const observed = status.observedGeneration ?? 0;
  if (observed === 0 || generation > observed) return notObserved(generation);
  const desired = spec.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  if (ready < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for pods: ${ready} of ${desired} are ready`,
    };
  }
  const strategy = spec.updateStrategy?.type ?? 'RollingUpdate';
  const partition = spec.updateStrategy?.rollingUpdate?.partition;
  if (
    strategy === 'RollingUpdate' &&
    partition !== undefined &&
    partition > 0
  ) {
    const target = Math.max(0, desired - partition);
    if (updated < target) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned rollout: ${updated} of ${target} pods are updated`,
      };
    }
    return {
      status: 'Healthy',
      message: `Partitioned rollout complete: ${updated} pods updated`,
    };
  }
  if (strategy === 'OnDelete') {
    return {
      status: 'Healthy',
      message: 'OnDelete strategy: pods update when they are deleted',
    };
  }
  if (
    status.updateRevision &&
    status.currentRevision !== status.updateRevision
  ) {
    return {
      status: 'Progressing',
      message: `Waiting for rolling update: ${updated} of ${desired} pods are updated`,
    };
  }
  return { status: 'Healthy', message: `${ready} of ${desired} pods ready` };
}

export function daemonSetHealth(obj: KubeObject): HealthResult {
  const { spec, status, generation } = parts(obj);
  if (generation > (status.observedGeneration ?? 0))
    return notObserved(generation);
  if (spec.updateStrategy?.type === 'OnDelete') {
    return {
      status: 'Healthy',
      message: 'OnDelete strategy: pods update when they are deleted',
    };
  }
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout: ${updated} of ${desired} nodes run the updated pod`,
    };
  }
  if (available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout: ${available} of ${desired} updated pods are available`,
    };
  }
  return {
    status: 'Healthy',
    message: `${available} of ${desired} pods available`,
  };
}

export function replicaSetHealth(obj: KubeObject): HealthResult {
  const { spec, status, generation } = parts(obj);
  if (generation > (status.observedGeneration ?? 0))
    return notObserved(generation);
  const failure = findCondition(status, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return {
      status: 'Degraded',
      message: describeCondition(failure) ?? 'Replica failure',
    };
  }
  const desired = spec.replicas ?? 1;
  const available = status.availableReplicas ?? 0;
  if (available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for pods: ${available} of ${desired} are available`,
    };
  }
  return {
    status: 'Healthy',
    message: `${available} of ${desired} replicas available`,
  };
}
