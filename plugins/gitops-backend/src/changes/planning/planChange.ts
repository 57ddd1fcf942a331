import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  EngineError,
  KubeObject,
  parsePath,
  parseYaml,
  removeValue,
  setContainerImage,
  setKustomizeImage,
  setValue,
  sourceOf,
  type FragmentValue,
  type PatchPathSegment,
} from '@backstage-gitops/gitops-engine';
import type {
  ApplicationSpec,
  ChangeSpec,
  DriftRecord,
  ResourceRef,
} from '@backstage-gitops/plugin-gitops-common';
import { posix } from 'node:path';
import type { WorkingTree } from '../WorkingTree';
import {
  containersOf,
  isScalable,
  parseImage,
  podSpecPath,
  selectContainer,
  nameOf,
  selectWorkload,
} from './workloads';
import { helmValuesOf, isHelmChart, setHelmImage, setHelmReplicas } from './helmValues';
import { planNewApplication } from './planNewApplication';

/** A value the rendered output must show once the change is written; checked after every change is planned. */
export interface Expectation {
  application: string;
  kind: string;
  name: string;
  /** Patch path syntax, e.g. `spec.template.spec.containers[name=web].image`. */
  path: string;
  /** `undefined` expects the field to be absent. */
  value: unknown;
}

/** What planning needs from the rest of the backend; everything reads the working tree or the store. */
export interface PlanContext {
  tree: WorkingTree;
  /** The declared application; `NotFoundError` when there is none. */
  application(name: string): ApplicationSpec;
  /** Renders an application from the working tree as it is now. */
  render(spec: ApplicationSpec): Promise<KubeObject[]>;
  /** A merged change request's files, base and head commit, for a rollback. */
  mergedChange(id: string): Promise<{
    entityRef: string;
    files: string[];
    baseSha: string;
    headSha: string;
  }>;
  /** A file at a commit of the config repo (config-root relative). */
  readAtCommit(sha: string, path: string): Promise<string | undefined>;
  /** The stored drift of one field, for codifying it. */
  drift(application: string, resource: ResourceRef, path: string): Promise<DriftRecord | undefined>;
  /** Configured cluster names, for defaults. */
  clusterNames(): string[];
  /** Three-way merge of file contents; conflicts become `ConflictError`. */
  mergeFile(current: string, base: string, other: string, path: string): Promise<string>;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const key = (name: string): PatchPathSegment => ({ type: 'key', key: name });
const match = (field: string, value: string): PatchPathSegment => ({ type: 'match', key: field, value });

/**
 * Writes one change into the working tree as comment-preserving patches of the files the application's
 * render reads, and returns what the rendered output must then show. Edits stay inside the application's
 * own source directory (its overlay), so one environment's change never leaks into another.
 */
export async function planChange(
  change: ChangeSpec,
  ctx: PlanContext,
): Promise<Expectation[]> {
  switch (change.type) {
    case 'image':
      return planImage(ctx, change.application, change.workload, change.container, { tag: change.tag });
    case 'replicas':
      return planReplicas(ctx, change.application, change.workload, change.replicas);
    case 'env':
      return planEnv(ctx, change);
    case 'resources':
      return planResources(ctx, change);
    case 'promote':
      return planPromote(ctx, change.from, change.to);
    case 'rollback':
      return planRollback(ctx, change.changeRequest);
    case 'codify':
      return planCodify(ctx, change);
    case 'application':
      await planNewApplication(change, ctx.tree, ctx.clusterNames());
      return [];
    default:
      throw new InputError(`unknown change type "${(change as { type: string }).type}"`);
  }
}

/** The applications a change touches, for permissions and previews. */
export function applicationsOf(change: ChangeSpec): string[] {
  switch (change.type) {
    case 'promote':
      return [change.to];
    case 'rollback':
      return [];
    case 'application':
      return change.environments.map(env => `${change.name}-${env.name}`);
    default:
      return [change.application];
  }
}

async function planImage(
  ctx: PlanContext,
  name: string,
  selector: { kind: string; name: string } | undefined,
  containerName: string | undefined,
  target: { tag: string; repository?: string },
): Promise<Expectation[]> {
  const spec = ctx.application(name);
  const objects = await ctx.render(spec);
  const workload = selectWorkload(objects, name, selector);
  const container = selectContainer(workload, containerName);
  if (!container.image) {
    throw new InputError(`container ${container.name} of ${workload.kind}/${nameOf(workload)} has no image`);
  }
  const current = parseImage(container.image);
  const repository = target.repository ?? current.repository;
  const image = `${repository}:${target.tag}`;
  const path = `${podSpecPath(workload.kind)}.containers[name=${container.name}].image`;
  const expect = [{ application: name, kind: workload.kind, name: nameOf(workload), path, value: image }];

  const helm = await helmValuesOf(ctx.tree, spec);
  if (helm) {
    const label = `${name}: ${workload.kind}/${nameOf(workload)} container ${container.name}`;
    await setHelmImage(ctx.tree, helm, { ...current, raw: container.image }, { repository, tag: target.tag }, label);
    return expect;
  }
  const kustomization = await findKustomization(ctx.tree, spec.source.path);
  if (kustomization) {
    const { file, text } = kustomization;
    const entries = imagesOf(text, file);
    const entry =
      entries.find(e => (e.newName ?? e.name) === current.repository) ??
      entries.find(e => e.name === current.repository);
    let next = setKustomizeImage(text, entry?.name ?? current.repository, {
      newTag: target.tag,
      ...(repository !== current.repository || entry?.newName ? { newName: repository } : {}),
    }, { file });
    // A digest wins over the tag in kustomize: the new tag would not take effect while it stays.
    if (entry?.digest) {
      next = removeValue(next, 0, [key('images'), match('name', entry.name), key('digest')], { file });
    }
    await ctx.tree.write(file, next);
    return expect;
  }
  const file = await sourceFileOf(ctx, spec, workload);
  const text = (await ctx.tree.read(file))!;
  await ctx.tree.write(
    file,
    setContainerImage(text, { kind: workload.kind, name: nameOf(workload) }, container.name, image, { file }),
  );
  return expect;
}

async function planReplicas(
  ctx: PlanContext,
  name: string,
  selector: { kind: string; name: string } | undefined,
  replicas: number,
): Promise<Expectation[]> {
  const spec = ctx.application(name);
  const objects = await ctx.render(spec);
  const workload = selectWorkload(objects, name, selector, isScalable);
  const expect = [
    { application: name, kind: workload.kind, name: nameOf(workload), path: 'spec.replicas', value: replicas },
  ];
  const helm = await helmValuesOf(ctx.tree, spec);
  if (helm) {
    const current = (workload.spec as { replicas?: unknown } | undefined)?.replicas ?? 1;
    const label = `${name}: ${workload.kind}/${nameOf(workload)}`;
    if (typeof current !== 'number') throw new InputError(`${label} has no replica count to change`);
    await setHelmReplicas(ctx.tree, helm, current, replicas, label);
    return expect;
  }
  const kustomization = await findKustomization(ctx.tree, spec.source.path);
  if (!kustomization) {
    const file = await sourceFileOf(ctx, spec, workload);
    await writeValue(ctx, file, workload, 'spec.replicas', replicas);
    return expect;
  }
  const { file, text } = kustomization;
  const replicaEntries = listOf(text, file, 'replicas') as Array<{ name?: string }>;
  if (replicaEntries.some(entry => entry.name === nameOf(workload))) {
    await ctx.tree.write(
      file,
      setValue(text, 0, [key('replicas'), match('name', nameOf(workload)), key('count')], replicas, { file }),
    );
    return expect;
  }
  const patch = await findPatchFile(ctx, spec.source.path, kustomization, workload, doc => doc?.spec?.replicas !== undefined);
  if (patch) {
    await writeValue(ctx, patch, workload, 'spec.replicas', replicas);
    return expect;
  }
  await ctx.tree.write(
    file,
    setValue(text, 0, [key('replicas'), match('name', nameOf(workload)), key('count')], replicas, { file }),
  );
  return expect;
}

async function planEnv(
  ctx: PlanContext,
  change: Extract<ChangeSpec, { type: 'env' }>,
): Promise<Expectation[]> {
  const spec = ctx.application(change.application);
  const objects = await ctx.render(spec);
  const workload = selectWorkload(objects, change.application, change.workload);
  const container = selectContainer(workload, change.container);
  const envPath = `${podSpecPath(workload.kind)}.containers[name=${container.name}].env[name=${change.name}]`;
  const present = Array.isArray(container.env) && container.env.some((e: any) => e?.name === change.name);
  const base = { application: change.application, kind: workload.kind, name: nameOf(workload) };
  if (change.value === null && !present) {
    throw new InputError(`${workload.kind}/${nameOf(workload)} container ${container.name} has no variable ${change.name} to unset`);
  }
  const file = await patchFileFor(ctx, spec, workload);
  if (change.value !== null) {
    await writeValue(ctx, file, workload, `${envPath}.value`, change.value);
    // `valueFrom` and `value` together are rejected by the API server.
    await removeIfPresent(ctx, file, workload, `${envPath}.valueFrom`);
    return [{ ...base, path: `${envPath}.value`, value: change.value }];
  }
  const removed = await removeIfPresent(ctx, file, workload, envPath);
  const stillThere = (await ctx.render(spec)).some(
    o =>
      o.kind === workload.kind &&
      nameOf(o) === nameOf(workload) &&
      containersOf(o).some(c => c.name === container.name && Array.isArray(c.env) && c.env.some((e: any) => e?.name === change.name)),
  );
  if (stillThere && isKustomizePatch(file, spec)) {
    // Declared in a shared base: a strategic-merge delete removes it for this environment only.
    if (removed) await writeValue(ctx, file, workload, envPath, { name: change.name, $patch: 'delete' });
    else await writeValue(ctx, file, workload, `${envPath}.$patch`, 'delete');
  }
  return [{ ...base, path: envPath, value: undefined }];
}

async function planResources(
  ctx: PlanContext,
  change: Extract<ChangeSpec, { type: 'resources' }>,
): Promise<Expectation[]> {
  const spec = ctx.application(change.application);
  const objects = await ctx.render(spec);
  const workload = selectWorkload(objects, change.application, change.workload);
  const container = selectContainer(workload, change.container);
  const values: Array<[string, string]> = [];
  for (const group of ['requests', 'limits'] as const) {
    for (const [resource, quantity] of Object.entries(change[group] ?? {})) {
      if (quantity !== undefined) values.push([`${group}.${resource}`, quantity]);
    }
  }
  if (values.length === 0) {
    throw new InputError('a resources change needs at least one request or limit');
  }
  const file = await patchFileFor(ctx, spec, workload);
  const prefix = `${podSpecPath(workload.kind)}.containers[name=${container.name}].resources`;
  const expect: Expectation[] = [];
  for (const [field, quantity] of values) {
    await writeValue(ctx, file, workload, `${prefix}.${field}`, quantity);
    expect.push({
      application: change.application,
      kind: workload.kind,
      name: nameOf(workload),
      path: `${prefix}.${field}`,
      value: quantity,
    });
  }
  return expect;
}

async function planPromote(ctx: PlanContext, from: string, to: string): Promise<Expectation[]> {
  const source = ctx.application(from);
  const target = ctx.application(to);
  if (from === to) throw new InputError('promote needs two different applications');
  if (source.entityRef !== target.entityRef) {
    throw new InputError(`${from} (${source.entityRef}) and ${to} (${target.entityRef}) belong to different entities`);
  }
  const sourceObjects = await ctx.render(source);
  const targetObjects = await ctx.render(target);
  const expect: Expectation[] = [];
  for (const workload of sourceObjects.filter(o => containersOf(o).length > 0)) {
    const counterpart = targetObjects.find(o => o.kind === workload.kind && nameOf(o) === nameOf(workload));
    if (!counterpart) continue;
    for (const container of containersOf(workload)) {
      const theirs = containersOf(counterpart).find(c => c.name === container.name);
      if (!container.image || !theirs?.image || theirs.image === container.image) continue;
      const wanted = parseImage(container.image);
      if (!wanted.tag) {
        throw new InputError(`${from} runs ${container.image} without a tag; promote needs a tagged image`);
      }
      expect.push(
        ...(await planImage(ctx, to, { kind: workload.kind, name: nameOf(workload) }, container.name, {
          tag: wanted.tag,
          repository: wanted.repository,
        })),
      );
    }
  }
  if (expect.length === 0) {
    throw new InputError(`${to} already runs the same images as ${from}: nothing to promote`);
  }
  return expect;
}

async function planRollback(ctx: PlanContext, id: string): Promise<Expectation[]> {
  const merged = await ctx.mergedChange(id);
  for (const path of merged.files) {
    const before = await ctx.readAtCommit(merged.baseSha, path);
    const after = await ctx.readAtCommit(merged.headSha, path);
    const current = await ctx.tree.read(path);
    if (after === undefined || current === undefined) {
      throw new ConflictError(`${path} changed since change request ${id}; it cannot be reverted automatically`);
    }
    // Reverting = merging "after → before" into the current file, so later unrelated edits survive.
    const reverted =
      current === after ? before : await ctx.mergeFile(current, after, before ?? '', path);
    if (reverted === undefined) {
      throw new ConflictError(`change request ${id} created ${path}; deleting files is not supported by a rollback`);
    }
    await ctx.tree.write(path, reverted);
  }
  return [];
}

async function planCodify(
  ctx: PlanContext,
  change: Extract<ChangeSpec, { type: 'codify' }>,
): Promise<Expectation[]> {
  const drift = await ctx.drift(change.application, change.resource, change.path);
  const label = `${change.resource.kind}/${change.resource.name}`;
  if (!drift) {
    throw new NotFoundError(`${change.application} has no drift at ${label} ${change.path}`);
  }
  if (drift.sensitive) {
    throw new InputError(`${label} ${change.path} is a Secret value: codify it in Git by hand, never through the portal`);
  }
  if (drift.type === 'missing-in-live') {
    throw new InputError(`${label} ${change.path} is missing in the cluster: sync instead of codifying an absence`);
  }
  const spec = ctx.application(change.application);
  const objects = await ctx.render(spec);
  const workload = objects.find(
    o => o.kind === change.resource.kind && nameOf(o) === change.resource.name,
  );
  if (!workload) {
    throw new NotFoundError(`${change.application} does not declare ${label}`);
  }
  const selector = { kind: workload.kind, name: nameOf(workload) };
  const image = /^(.*)\.containers\[name=([^\]]+)\]\.image$/.exec(change.path);
  if (image && image[1] === podSpecPath(workload.kind) && typeof drift.live === 'string') {
    const live = parseImage(drift.live);
    if (!live.tag || live.digest) {
      throw new InputError(`the live image ${drift.live} has no tag to write back`);
    }
    return planImage(ctx, change.application, selector, image[2], { tag: live.tag, repository: live.repository });
  }
  if (change.path === 'spec.replicas' && typeof drift.live === 'number' && isScalable(workload)) {
    return planReplicas(ctx, change.application, selector, drift.live);
  }
  const file = await patchFileFor(ctx, spec, workload);
  await writeValue(ctx, file, workload, change.path, drift.live as FragmentValue);
  return [{ application: change.application, ...selector, path: change.path, value: drift.live }];
}

/** Checks each expectation against a fresh render of the working tree. */
export async function verifyExpectations(
  ctx: PlanContext,
  expectations: Expectation[],
): Promise<void> {
  const renders = new Map<string, KubeObject[]>();
  for (const e of expectations) {
    let objects = renders.get(e.application);
    if (!objects) {
      objects = await ctx.render(ctx.application(e.application));
      renders.set(e.application, objects);
    }
    const object = objects.find(o => o.kind === e.kind && nameOf(o) === e.name);
    const actual = object ? valueAt(object, e.path) : undefined;
    if (!sameValue(actual, e.value)) {
      throw new ConflictError(
        `the change was written but ${e.application} still renders ${e.kind}/${e.name} ${e.path} as ${JSON.stringify(actual) ?? 'absent'} ` +
          `instead of ${JSON.stringify(e.value) ?? 'absent'}: something later in the render overrides it`,
      );
    }
  }
}

function sameValue(actual: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return actual === undefined;
  return JSON.stringify(actual) === JSON.stringify(wanted) || String(actual) === String(wanted);
}

/** The value at a patch path in a plain object, `undefined` when any step is missing. */
export function valueAt(object: unknown, path: string): unknown {
  let node: any = object;
  for (const segment of parsePatchPath(path)) {
    if (node === undefined || node === null) return undefined;
    if (segment.type === 'key') node = node[segment.key];
    else if (segment.type === 'index') node = Array.isArray(node) ? node[segment.index] : undefined;
    else node = Array.isArray(node) ? node.find((item: any) => String(item?.[segment.key]) === segment.value) : undefined;
  }
  return node;
}

function parsePatchPath(path: string): PatchPathSegment[] {
  try {
    return parsePath(path);
  } catch (error) {
    throw new InputError(`invalid field path "${path}": ${(error as Error).message}`);
  }
}


async function findKustomization(
  tree: WorkingTree,
  dir: string,
): Promise<{ file: string; text: string } | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const file = dir === '.' ? name : `${dir}/${name}`;
    const text = await tree.read(file);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

function topLevel(text: string, file: string): Record<string, unknown> {
  const [doc] = parseYaml(text, { file });
  return doc && typeof doc.value === 'object' && doc.value !== null ? (doc.value as Record<string, unknown>) : {};
}

function listOf(text: string, file: string, field: string): unknown[] {
  const value = topLevel(text, file)[field];
  return Array.isArray(value) ? value : [];
}

function imagesOf(text: string, file: string) {
  return listOf(text, file, 'images').filter(
    (e): e is { name: string; newName?: string; newTag?: string; digest?: string } =>
      typeof e === 'object' && e !== null && typeof (e as any).name === 'string',
  );
}

/** Strategic-merge patch files of a kustomization that patch `workload` and satisfy `accept`. */
async function findPatchFile(
  ctx: PlanContext,
  dir: string,
  kustomization: { file: string; text: string },
  workload: KubeObject,
  accept: (doc: any) => boolean = () => true,
): Promise<string | undefined> {
  const top = topLevel(kustomization.text, kustomization.file);
  const paths = [
    ...(Array.isArray(top.patches) ? top.patches : [])
      .map((p: any) => (typeof p?.path === 'string' ? p.path : undefined)),
    ...(Array.isArray(top.patchesStrategicMerge) ? top.patchesStrategicMerge : []),
  ].filter((p): p is string => typeof p === 'string');
  for (const relative of paths) {
    const file = posix.normalize(dir === '.' ? relative : `${dir}/${relative}`);
    // Only the application's own directory: a patch shared with other overlays is not ours to edit.
    if (dir !== '.' && !file.startsWith(`${dir}/`)) continue;
    const text = await ctx.tree.read(file).catch(() => undefined);
    if (text === undefined) continue;
    let docs;
    try {
      docs = parseYaml(text, { file });
    } catch {
      continue;
    }
    const hit = docs.some(({ value }: any) =>
      value?.kind === workload.kind && value?.metadata?.name === nameOf(workload) && accept(value),
    );
    if (hit) return file;
  }
  return undefined;
}

/**
 * The file to write a workload field into: an existing strategic-merge patch of the overlay, a new one
 * registered in its kustomization, or (plain manifests) the file that declares the workload.
 */
async function patchFileFor(ctx: PlanContext, spec: ApplicationSpec, workload: KubeObject): Promise<string> {
  // A helm template is not a manifest: a field written into it would be written into the template's text.
  if (await isHelmChart(ctx.tree, spec)) {
    throw new InputError(
      `${spec.name} is rendered from a helm chart: only image and replica changes are written to its values file; change ${workload.kind}/${nameOf(workload)} through the chart's values in Git`,
    );
  }
  const kustomization = await findKustomization(ctx.tree, spec.source.path);
  if (!kustomization) return sourceFileOf(ctx, spec, workload);
  const existing = await findPatchFile(ctx, spec.source.path, kustomization, workload);
  if (existing) return existing;
  const name = `${nameOf(workload)}-${workload.kind.toLowerCase()}-patch.yaml`;
  const file = spec.source.path === '.' ? name : `${spec.source.path}/${name}`;
  if (await ctx.tree.exists(file)) {
    throw new ConflictError(`${file} exists but is not listed in ${kustomization.file}; list it or remove it first`);
  }
  await ctx.tree.write(
    file,
    `# Written by Backstage GitOps: settings of ${workload.kind} ${nameOf(workload)} for this environment.\n` +
      `apiVersion: ${workload.apiVersion}\nkind: ${workload.kind}\nmetadata:\n  name: ${nameOf(workload)}\n`,
  );
  await ctx.tree.write(
    kustomization.file,
    setValue(kustomization.text, 0, [key('patches'), match('path', name)], {}, { file: kustomization.file }),
  );
  return file;
}

function isKustomizePatch(file: string, spec: ApplicationSpec): boolean {
  return spec.source.renderer !== 'plain' && file.startsWith(spec.source.path === '.' ? '' : `${spec.source.path}/`);
}

async function sourceFileOf(ctx: PlanContext, spec: ApplicationSpec, workload: KubeObject): Promise<string> {
  const file = sourceOf(workload)?.file;
  if (!file) {
    throw new InputError(
      `cannot tell which file of ${spec.source.path} declares ${workload.kind}/${nameOf(workload)}`,
    );
  }
  const relative = posix.normalize(file);
  if (!(await ctx.tree.exists(relative))) {
    throw new InputError(`${relative} (declaring ${workload.kind}/${nameOf(workload)}) is not in the config repo`);
  }
  return relative;
}

async function writeValue(
  ctx: PlanContext,
  file: string,
  workload: KubeObject,
  path: string,
  value: FragmentValue,
): Promise<void> {
  const text = (await ctx.tree.read(file)) ?? '';
  try {
    await ctx.tree.write(
      file,
      setValue(text, { kind: workload.kind, name: nameOf(workload) }, path, value, { file }),
    );
  } catch (error) {
    throw asInputError(error);
  }
}

async function removeIfPresent(
  ctx: PlanContext,
  file: string,
  workload: KubeObject,
  path: string,
): Promise<boolean> {
  const text = (await ctx.tree.read(file)) ?? '';
  try {
    await ctx.tree.write(file, removeValue(text, { kind: workload.kind, name: nameOf(workload) }, path, { file }));
    return true;
  } catch (error) {
    if (error instanceof EngineError && error.code === 'PATCH_TARGET_NOT_FOUND') return false;
    throw asInputError(error);
  }
}

function asInputError(error: unknown): unknown {
  return error instanceof EngineError ? new InputError(error.message) : error;
}
