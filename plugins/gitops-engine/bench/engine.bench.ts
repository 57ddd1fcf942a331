/* eslint-disable no-console */
// Prints engine figures (DESIGN §7); asserts nothing about time. Run: yarn workspace @backstage-gitops/gitops-engine bench
import { desiredShopWeb, liveShopWeb } from '../src/diff/__fixtures__/shopWeb';
import { diffObjects } from '../src/diff';
import { assessHealth } from '../src/health';
import { compactLiveObject } from '../src/live';
import type { KubeObject } from '../src/types';

const POOL = 512;
const MEMORY_OBJECTS = 10_000;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect)
    throw new Error('run with node --expose-gc (the package script does)');
  collect();
  collect();
}

/** Nanoseconds per call of `fn(i)` over one round. */
function round(iterations: number, fn: (i: number) => unknown): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += fn(i) ? 1 : 0;
  const elapsed = Number(process.hrtime.bigint() - start) / iterations;
  if (sink < 0) console.log(sink);
  return elapsed;
}

/** Best nanoseconds per call over several rounds, after a warm-up round. */
function measure(iterations: number, fn: (i: number) => unknown): number {
  round(iterations, fn);
  let best = Infinity;
  for (let r = 0; r < 5; r++) best = Math.min(best, round(iterations, fn));
  return best;
}

/** Median ratio of two workloads timed in alternating rounds, so machine load affects both alike. */
function pairedRatio(
  iterations: number,
  numerator: (i: number) => unknown,
  denominator: (i: number) => unknown,
): number {
  round(iterations, numerator);
  round(iterations, denominator);
  const ratios: number[] = [];
  for (let r = 0; r < 9; r++) {
    const top = round(iterations, numerator);
    ratios.push(top / round(iterations, denominator));
  }
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)];
}

function perSecond(nanos: number): string {
  return Math.round(1e9 / nanos).toLocaleString('en-US');
}

function micros(nanos: number): string {
  return `${(nanos / 1000).toFixed(1)} µs`;
}

function driftedLive(): KubeObject {
  const live = liveShopWeb();
  const spec = live.spec as {
    template: { spec: { containers: { image: string; env: unknown[] }[] } };
  };
  spec.template.spec.containers[0].image =
    'registry.example.com/shop/web:1.25.0-hotfix';
  spec.template.spec.containers[0].env.push({ name: 'DEBUG', value: 'true' });
  live.metadata.managedFields!.push({
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    fieldsType: 'FieldsV1',
    time: '2026-11-22T10:00:00Z',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                'f:image': {},
                'f:env': {
                  'k:{"name":"DEBUG"}': {
                    '.': {},
                    'f:name': {},
                    'f:value': {},
                  },
                },
              },
            },
          },
        },
      },
    },
  });
  return live;
}

function main(): void {
  const desiredJson = JSON.stringify(desiredShopWeb());
  const liveJson = JSON.stringify(liveShopWeb());
  const driftedJson = JSON.stringify(driftedLive());
  const desiredPool = Array.from(
    { length: POOL },
    () => JSON.parse(desiredJson) as KubeObject,
  );
  const livePool = Array.from(
    { length: POOL },
    () => JSON.parse(liveJson) as KubeObject,
  );
  const driftedPool = Array.from(
    { length: POOL },
    () => JSON.parse(driftedJson) as KubeObject,
  );
  const compactPool = livePool.map(live => compactLiveObject(live));

  const parseBothOnce = () => {
    JSON.parse(desiredJson);
    return JSON.parse(liveJson);
  };
  const diffOnce = (i: number) =>
    diffObjects(desiredPool[i % POOL], livePool[i % POOL]).modified;
  const parseBoth = measure(20_000, parseBothOnce);
  const diffInSync = measure(20_000, diffOnce);
  const ratio = pairedRatio(5_000, diffOnce, parseBothOnce);
  const diffStrict = measure(
    20_000,
    i =>
      diffObjects(desiredPool[i % POOL], livePool[i % POOL], { mode: 'strict' })
        .modified,
  );
  const diffDrifted = measure(
    20_000,
    i =>
      diffObjects(desiredPool[i % POOL], driftedPool[i % POOL], {
        mode: 'strict',
      }).modified,
  );
  const diffCompact = measure(
    10_000,
    i => diffObjects(desiredPool[i % POOL], compactPool[i % POOL]).modified,
  );
  const health = measure(
    200_000,
    i => assessHealth(livePool[i % POOL])?.status,
  );
  const compactTime = measure(5_000, i =>
    compactLiveObject(livePool[i % POOL]),
  );

  gc();
  const fullBefore = process.memoryUsage();
  const fullKept = Array.from(
    { length: MEMORY_OBJECTS },
    () => JSON.parse(liveJson) as KubeObject,
  );
  gc();
  const fullAfter = process.memoryUsage();

  fullKept.length = 0;
  gc();
  const before = process.memoryUsage();
  const kept = new Array(MEMORY_OBJECTS);
  for (let i = 0; i < MEMORY_OBJECTS; i++)
    kept[i] = compactLiveObject(JSON.parse(liveJson));
  gc();
  const after = process.memoryUsage();
  const heapPerObject = (after.heapUsed - before.heapUsed) / MEMORY_OBJECTS;
  const externalPerObject = (after.external - before.external) / MEMORY_OBJECTS;
  const fullPerObject =
    (fullAfter.heapUsed - fullBefore.heapUsed) / MEMORY_OBJECTS;
  if (kept.length !== MEMORY_OBJECTS) throw new Error('unreachable');

  const lines = [
    `gitops-engine bench, node ${process.version}, ${process.arch}`,
    `fixture: Deployment shop-web, live ${liveJson.length} B JSON (managedFields of 3 managers, 2 containers, probes, env, volumes), desired ${desiredJson.length} B`,
    `diff, in sync (assert):          ${perSecond(
      diffInSync,
    )} diffs/s (${micros(diffInSync)} per diff)`,
    `diff, in sync (strict):          ${perSecond(
      diffStrict,
    )} diffs/s (${micros(diffStrict)} per diff)`,
    `diff, kubectl edit drift (strict): ${perSecond(
      diffDrifted,
    )} diffs/s (${micros(diffDrifted)} per diff, 2 drifts)`,
    `diff against compact live form:  ${perSecond(
      diffCompact,
    )} diffs/s (${micros(diffCompact)} per diff, includes inflate)`,
    `JSON.parse(desired) + JSON.parse(live): ${micros(parseBoth)} per pair`,
    `ratio diff / JSON.parse(both):   ${ratio.toFixed(
      2,
    )} (median of 9 alternating rounds; target <= 1.5)`,
    `health (Deployment):             ${perSecond(health)} assessments/s`,
    `compact live form:               ${Math.round(
      heapPerObject,
    )} bytes/object retained heap (+${Math.round(
      externalPerObject,
    )} external), ${MEMORY_OBJECTS.toLocaleString(
      'en-US',
    )} objects; full parsed object: ${Math.round(
      fullPerObject,
    )} bytes; compacting: ${micros(compactTime)} per object`,
  ];
  for (const line of lines) console.log(line);
}

main();
