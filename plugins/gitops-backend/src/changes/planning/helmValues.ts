import { InputError } from '@backstage/errors';
import {
  EngineError,
  parseYaml,
  setValue,
  type PatchPathSegment,
} from '@backstage-gitops/gitops-engine';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import { stringify } from 'yaml';
import { detectRenderer } from '../../render/detectRenderer';
import type { WorkingTree } from '../WorkingTree';
import type { ImageReference } from './workloads';

/** The values an application's helm render reads, and the one file a change for it may write. */
export interface HelmValues {
  /** The application's own values file: the last of `spec.source.helm.valueFiles`. */
  target: string;
  /** What helm merges, in order: the chart's `values.yaml`, then each values file (later wins). */
  merged: unknown;
}

type Path = string[];

/** Whether the application renders a helm chart: declared, or `auto` deciding as the renderer does. */
export async function isHelmChart(
  tree: WorkingTree,
  spec: ApplicationSpec,
): Promise<boolean> {
  if (spec.source.renderer !== 'auto') return spec.source.renderer === 'helm';
  return (
    (await detectRenderer(spec.source.path, path => tree.read(path))) === 'helm'
  );
}

/**
 * The values of an application rendered from a helm chart, or undefined when it is not one. A chart's
 * `values.yaml` is shared by every environment, so a change is written only to the application's own values
 * file; an application without one cannot be changed through the portal.
 */
export async function helmValuesOf(
  tree: WorkingTree,
  spec: ApplicationSpec,
): Promise<HelmValues | undefined> {
  if (!(await isHelmChart(tree, spec))) return undefined;
  const chartDir = spec.source.path === '.' ? '' : `${spec.source.path}/`;
  const valueFiles = spec.source.helm?.valueFiles ?? [];
  const target = valueFiles[valueFiles.length - 1];
  if (!target || target === `${chartDir}values.yaml`) {
    throw new InputError(
      `${spec.name} renders the helm chart ${spec.source.path} with no values file of its own, and the chart's values.yaml is shared by every environment: list one under spec.source.helm.valueFiles to change ${spec.name} through a change request`,
    );
  }
  let merged: unknown = {};
  for (const file of [`${chartDir}values.yaml`, ...valueFiles]) {
    const text = await tree.read(file);
    if (text === undefined) continue;
    for (const document of parseYaml(text, { file })) {
      merged = mergeValues(merged, document.value);
    }
  }
  return { target, merged };
}

/**
 * Writes `image` as the value that sets it: a `tag` beside a `repository` (or `name`) equal to the image's
 * repository, as `helm create` charts and most published ones do, or a string holding the whole image.
 */
export async function setHelmImage(
  tree: WorkingTree,
  values: HelmValues,
  current: ImageReference & { raw: string },
  wanted: { repository: string; tag: string },
  label: string,
): Promise<void> {
  const candidates: Array<Array<[Path, string]>> = [];
  walk(values.merged, [], (node, path) => {
    if (typeof node === 'string' && node === current.raw) {
      candidates.push([[path, `${wanted.repository}:${wanted.tag}`]]);
      return;
    }
    if (!isMap(node)) return;
    const repositoryKey = ['repository', 'name'].find(
      k => typeof node[k] === 'string',
    );
    if (!repositoryKey) return;
    const registry =
      typeof node.registry === 'string' && node.registry
        ? `${node.registry}/`
        : '';
    const repository = `${registry}${node[repositoryKey]}`;
    const tag =
      node.tag === undefined || node.tag === null ? '' : String(node.tag);
    // An empty tag is the chart's appVersion, which is what the image shows then.
    if (
      repository !== current.repository ||
      (tag !== '' && tag !== current.tag)
    )
      return;
    const edits: Array<[Path, string]> = [[[...path, 'tag'], wanted.tag]];
    if (wanted.repository !== current.repository) {
      if (registry) {
        throw new InputError(
          `${label}: the chart splits the image into registry and ${repositoryKey} at ${path.join(
            '.',
          )}; change the repository in Git by hand`,
        );
      }
      edits.push([[...path, repositoryKey], wanted.repository]);
    }
    candidates.push(edits);
  });
  const edits = single(candidates, label, `the image ${current.raw}`);
  let text = (await tree.read(values.target)) ?? '';
  for (const [path, value] of edits) {
    text = write(text, values.target, path, value);
  }
  await tree.write(values.target, text);
}

/** Writes the replica count as the one number value named like `replicaCount` that equals today's count. */
export async function setHelmReplicas(
  tree: WorkingTree,
  values: HelmValues,
  current: number,
  wanted: number,
  label: string,
): Promise<void> {
  const candidates: Path[] = [];
  walk(values.merged, [], (node, path) => {
    const name = path[path.length - 1] ?? '';
    if (typeof node === 'number' && node === current && /replica/i.test(name))
      candidates.push(path);
  });
  const path = single(candidates, label, `${current} replicas`);
  const text = (await tree.read(values.target)) ?? '';
  await tree.write(values.target, write(text, values.target, path, wanted));
}

function single<T>(candidates: T[], label: string, what: string): T {
  if (candidates.length === 1) return candidates[0];
  const paths = candidates.map(c => describe(c)).join(', ');
  throw new InputError(
    candidates.length === 0
      ? `${label}: no value of the helm chart sets ${what}; change the chart's values in Git by hand`
      : `${label}: more than one value of the helm chart could set ${what} (${paths}); change the right one in Git by hand`,
  );
}

function describe(candidate: unknown): string {
  const paths =
    Array.isArray(candidate) && Array.isArray(candidate[0])
      ? candidate.map(c => c[0])
      : [candidate];
  return paths.map(path => (path as string[]).join('.')).join(' and ');
}

function write(
  text: string,
  file: string,
  path: Path,
  value: string | number,
): string {
  // A values file with nothing in it yet has no mapping to insert into: it gets one, in block style.
  if (
    parseYaml(text, { file }).every(
      document => document.value === null || document.value === undefined,
    )
  ) {
    const nested = path.reduceRight<unknown>(
      (inner, key) => ({ [key]: inner }),
      value,
    );
    // Helm reads YAML 1.1: written as 1.1 quotes it, a tag such as 1_000 or 0755 stays a string.
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${separator}${stringify(nested, { version: '1.1' })}`;
  }
  const segments: PatchPathSegment[] = path.map(key => ({ type: 'key', key }));
  try {
    return setValue(text, 0, segments, value, { file });
  } catch (error) {
    throw error instanceof EngineError ? new InputError(error.message) : error;
  }
}

function walk(
  node: unknown,
  path: Path,
  visit: (node: unknown, path: Path) => void,
): void {
  visit(node, path);
  if (isMap(node)) {
    for (const [key, child] of Object.entries(node))
      walk(child, [...path, key], visit);
  }
}

/** Helm's merge of values: maps merge key by key, anything else is replaced by the later value. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override))
    return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // A null in a later file removes the key, as in helm.
    if (value === null) delete merged[key];
    else merged[key] = key in merged ? mergeValues(merged[key], value) : value;
  }
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
