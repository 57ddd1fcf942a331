import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../types';
import { parseManifests } from '../../yaml/parseManifests';
import { waitFor } from './controlPlane';
import type { KubeTestClient } from './KubeTestClient';

const CORPUS_DIR = join(__dirname, '..', 'corpus');

/** The namespace the corpus objects that omit one are applied to (the application's target namespace). */
export const CORPUS_NAMESPACE = 'shop';

export interface CorpusEntry {
  /** `20-deployments.yaml: Deployment web`, for test names. */
  readonly label: string;
  readonly object: KubeObject;
}

/** Every object of the corpus, parsed like Git content, in file order (Namespace and CRD first). */
export function loadCorpus(): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const file of readdirSync(CORPUS_DIR).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
    for (const object of parseManifests(text, { file })) {
      entries.push({
        label: `${file}: ${object.kind} ${object.metadata.name}`,
        object,
      });
    }
  }
  return entries;
}

/** One corpus object by kind and name, as a fresh copy a test may change. */
export function corpusObject(kind: string, name: string): KubeObject {
  const found = loadCorpus().find(
    entry => entry.object.kind === kind && entry.object.metadata.name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name} in the corpus`);
  return found.object;
}

/** A copy of `obj` placed in another namespace, so each test can own a fresh object of the same name. */
export function inNamespace(obj: KubeObject, namespace: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.namespace = namespace;
  return copy;
}

export async function createNamespace(
  client: KubeTestClient,
  name: string,
): Promise<void> {
  await client.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  // Pods are admitted only once the namespace's default ServiceAccount exists.
  await waitFor(`ServiceAccount default in ${name}`, async () =>
    client.get({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: name },
    }),
  );
}

/** Polls a CRD until the API server serves its kind. */
export async function waitForEstablished(
  client: KubeTestClient,
  crd: KubeObject,
): Promise<void> {
  await waitFor(`CRD ${crd.metadata.name} Established`, async () => {
    const live = await client.get(crd);
    const conditions =
      (live.status as { conditions?: { type: string; status: string }[] })
        ?.conditions ?? [];
    return conditions.some(c => c.type === 'Established' && c.status === 'True')
      ? true
      : undefined;
  });
}

/** Applies the whole corpus in file order, waiting for the CRD before its custom resource. */
export async function applyCorpus(
  client: KubeTestClient,
  entries: readonly CorpusEntry[],
): Promise<void> {
  for (const { object } of entries) {
    await client.apply(object, { defaultNamespace: CORPUS_NAMESPACE });
    if (object.kind === 'CustomResourceDefinition')
      await waitForEstablished(client, object);
  }
}
