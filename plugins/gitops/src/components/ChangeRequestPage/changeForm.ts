import type {
  ChangeSpec,
  ResourceQuantities,
  WorkloadSelector,
} from '@backstage-gitops/plugin-gitops-common';
import { resourceKey } from '../ResourcesTable/resourceKey';
import { parseResourceKey, type ChangePrefill } from './changePrefill';

/** The kinds of change the form offers; `env` is split in two because unset asks for no value. */
export type ChangeKind =
  | 'image'
  | 'replicas'
  | 'env-set'
  | 'env-unset'
  | 'resources'
  | 'promote'
  | 'rollback'
  | 'codify';

export const CHANGE_KIND_LABELS: Record<ChangeKind, string> = {
  image: 'Image tag',
  replicas: 'Replicas',
  'env-set': 'Set an environment variable',
  'env-unset': 'Unset an environment variable',
  resources: 'Resource requests and limits',
  promote: 'Promote one environment to another',
  rollback: 'Roll back a merged change request',
  codify: 'Codify a drift (write the live value into Git)',
};

/** Every field of the form as typed; `buildChangeSpec` turns it into the contract's `ChangeSpec`. */
export interface ChangeForm {
  kind: ChangeKind;
  application: string;
  workloadKind: string;
  workloadName: string;
  container: string;
  tag: string;
  replicas: string;
  envName: string;
  envValue: string;
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  from: string;
  to: string;
  changeRequest: string;
  /** `group/Kind/namespace/name` */
  resource: string;
  path: string;
  title: string;
  description: string;
}

export function emptyChangeForm(): ChangeForm {
  return {
    kind: 'image',
    application: '',
    workloadKind: '',
    workloadName: '',
    container: '',
    tag: '',
    replicas: '',
    envName: '',
    envValue: '',
    requestsCpu: '',
    requestsMemory: '',
    limitsCpu: '',
    limitsMemory: '',
    from: '',
    to: '',
    changeRequest: '',
    resource: '',
    path: '',
    title: '',
    description: '',
  };
}

export function formFromPrefill(prefill: ChangePrefill): ChangeForm {
  const form = emptyChangeForm();
  const kind = prefill.type === 'env' ? 'env-set' : prefill.type;
  // Kinds the form does not offer (a new application comes from a template) keep the default.
  if (kind && kind in CHANGE_KIND_LABELS) form.kind = kind as ChangeKind;
  form.application = prefill.application ?? '';
  form.from = prefill.from ?? '';
  form.to = prefill.to ?? '';
  form.changeRequest = prefill.changeRequest ?? '';
  form.resource = prefill.resource ? resourceKey(prefill.resource) : '';
  form.path = prefill.path ?? '';
  return form;
}

export type BuiltChange = { spec: ChangeSpec } | { problem: string };

// Kubernetes quantities: `250m`, `0.5`, `512Mi`, `1G`, `1e3`.
const QUANTITY = /^\+?\d+(\.\d+)?([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The change the form describes, or the first thing missing or malformed in it (said as the user would fix it). */
export function buildChangeSpec(form: ChangeForm): BuiltChange {
  const application = form.application.trim();
  const needsApplication = !['promote', 'rollback'].includes(form.kind);
  if (needsApplication && !application) {
    return { problem: 'Choose the application (environment) to change.' };
  }
  const workload = workloadOf(form);
  const editsWorkload = !['promote', 'rollback', 'codify'].includes(form.kind);
  if (editsWorkload && workload === null) {
    return {
      problem: 'Give both the workload kind and name, or neither.',
    };
  }
  const container = form.container.trim() || undefined;
  const scope = {
    application,
    ...(workload ? { workload } : {}),
  };

  switch (form.kind) {
    case 'image': {
      const tag = form.tag.trim();
      if (!tag) return { problem: 'Enter the new image tag.' };
      if (!/^[\w][\w.-]{0,127}$/.test(tag)) {
        return { problem: `"${tag}" is not a valid image tag.` };
      }
      return {
        spec: {
          type: 'image',
          ...scope,
          ...(container ? { container } : {}),
          tag,
        },
      };
    }
    case 'replicas': {
      const text = form.replicas.trim();
      const replicas = Number(text);
      if (!text || !Number.isInteger(replicas) || replicas < 0) {
        return { problem: 'Replicas must be a whole number, 0 or more.' };
      }
      return { spec: { type: 'replicas', ...scope, replicas } };
    }
    case 'env-set':
    case 'env-unset': {
      const name = form.envName.trim();
      if (!ENV_NAME.test(name)) {
        return { problem: 'Enter a valid environment variable name.' };
      }
      return {
        spec: {
          type: 'env',
          ...scope,
          ...(container ? { container } : {}),
          name,
          value: form.kind === 'env-unset' ? null : form.envValue,
        },
      };
    }
    case 'resources': {
      const requests = quantities(form.requestsCpu, form.requestsMemory);
      const limits = quantities(form.limitsCpu, form.limitsMemory);
      const invalid = [
        form.requestsCpu,
        form.requestsMemory,
        form.limitsCpu,
        form.limitsMemory,
      ]
        .map(value => value.trim())
        .find(value => value && !QUANTITY.test(value));
      if (invalid) {
        return { problem: `"${invalid}" is not a Kubernetes quantity.` };
      }
      if (!requests && !limits) {
        return { problem: 'Set at least one request or limit.' };
      }
      return {
        spec: {
          type: 'resources',
          ...scope,
          ...(container ? { container } : {}),
          ...(requests ? { requests } : {}),
          ...(limits ? { limits } : {}),
        },
      };
    }
    case 'promote': {
      const from = form.from.trim();
      const to = form.to.trim();
      if (!from || !to) {
        return { problem: 'Choose the environment to promote from and to.' };
      }
      if (from === to) {
        return { problem: 'Promote between two different environments.' };
      }
      return { spec: { type: 'promote', from, to } };
    }
    case 'rollback': {
      const changeRequest = form.changeRequest.trim();
      if (!changeRequest) {
        return { problem: 'Choose the merged change request to roll back.' };
      }
      return { spec: { type: 'rollback', changeRequest } };
    }
    case 'codify': {
      const resource = parseResourceKey(form.resource.trim());
      if (!resource) {
        return {
          problem: 'Give the drifted resource as group/Kind/namespace/name.',
        };
      }
      const path = form.path.trim();
      if (!path) return { problem: 'Give the path of the drifted field.' };
      return { spec: { type: 'codify', application, resource, path } };
    }
    default:
      return { problem: 'Choose a kind of change.' };
  }
}

/** The workload, none (`undefined`: the application's only one), or `null` when only half of it is given. */
function workloadOf(form: ChangeForm): WorkloadSelector | undefined | null {
  const kind = form.workloadKind.trim();
  const name = form.workloadName.trim();
  if (!kind && !name) return undefined;
  if (!kind || !name) return null;
  return { kind, name };
}

function quantities(
  cpu: string,
  memory: string,
): ResourceQuantities | undefined {
  const result: ResourceQuantities = {};
  if (cpu.trim()) result.cpu = cpu.trim();
  if (memory.trim()) result.memory = memory.trim();
  return Object.keys(result).length ? result : undefined;
}
