import {
  EngineError,
  SchemaRegistry,
  formatResourceKey,
  renderDirectory,
  resourceKeyOf,
  sourceOf,
  type EngineErrorCode,
  type KubeObject,
  type SourceLocation,
} from '@backstage-gitops/gitops-engine';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  GITOPS_TRACKING_LABEL,
  type ApplicationSpec,
  type StatusProblem,
} from '@backstage-gitops/plugin-gitops-common';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { normalizeRepoPath } from '../git/normalizeRepoPath';
import { detectRenderer } from './detectRenderer';
import { helmDependencies } from './helmDependencies';
import { kustomizeDependencies } from './kustomizeDependencies';
import { LruCache } from './LruCache';
import type { ReadTreeFile } from './readTreeFile';

/** A config repo checked out at one commit, as the renderer reads it. */
export interface RenderTree {
  /** The checked-out config root (`ConfigRepository.checkout`). */
  dir: string;
  /** The commit, for messages. */
  sha: string;
  /** Git object id of a path at this commit (`ConfigRepository.treeHash`), `undefined` when absent. */
  treeHash(path: string): Promise<string | undefined>;
}

/** The manifests of one application at one commit, or why there are none. */
export interface RenderedApplication {
  application: string;
  /** Equal keys mean equal output: built from the git ids of every path the render reads. */
  cacheKey: string;
  /** Paths, relative to the config root, whose content the output depends on. */
  dependencies: string[];
  /** Deeply frozen: shared by every caller of the cache. */
  objects: readonly KubeObject[];
  problem?: StatusProblem;
}

export interface ApplicationRendererOptions {
  /** Default: the engine's `renderDirectory`. */
  renderDirectory?: typeof renderDirectory;
  /** Scope of kinds, for filling in namespaces. Default: the engine's built-in table. */
  registry?: SchemaRegistry;
  /**
   * Most renders kept. Default 20,000: every commit walks every application in order, and an LRU smaller
   * than the fleet would miss on every one of them.
   */
  maxCacheEntries?: number;
  /** Where `KUSTOMIZE_BIN`, `HELM_BIN` and `PATH` come from. Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  logger?: LoggerService;
}

// Bumped whenever post-processing changes, so a key never maps to output of older code.
const CACHE_KEY_VERSION = 1;
const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const INVALID_MANIFEST_CODES = new Set<EngineErrorCode>([
  'YAML_SYNTAX',
  'YAML_DUPLICATE_KEY',
  'YAML_TOO_LARGE',
  'YAML_TOO_DEEP',
  'YAML_ALIAS_LIMIT',
  'MANIFEST_INVALID',
  'MANIFEST_DUPLICATE',
  'SCHEMA_INVALID',
]);
// Failures that the same inputs always reproduce; tool failures may be transient (timeouts) and are retried.
const DETERMINISTIC_CODES = new Set<EngineErrorCode>([
  ...INVALID_MANIFEST_CODES,
  'RENDER_PATH_INVALID',
  'INPUT_INVALID',
]);

/**
 * Renders applications with the engine and makes the output ready to compare with live objects:
 * namespaces filled in from the destination, the tracking label on every object, duplicates refused.
 * Results are cached by the git ids of every directory the render reads, so an unrelated commit
 * re-renders nothing and a change to a shared base re-renders every overlay using it. Never throws:
 * a failure is a result with a `RENDER_FAILED` or `INVALID_MANIFEST` problem.
 */
export class ApplicationRenderer {
  private readonly cache: LruCache<string, RenderedApplication>;
  private readonly inFlight = new Map<string, Promise<RenderedApplication>>();
  private readonly render: typeof renderDirectory;
  private readonly registry: SchemaRegistry;
  private readonly now: () => Date;

  constructor(private readonly options: ApplicationRendererOptions = {}) {
    this.cache = new LruCache(options.maxCacheEntries ?? 20_000);
    this.render = options.renderDirectory ?? renderDirectory;
    this.registry = options.registry ?? SchemaRegistry.builtin();
    this.now = options.now ?? (() => new Date());
  }

  async renderApplication(
    application: ApplicationSpec,
    tree: RenderTree,
  ): Promise<RenderedApplication> {
    let dependencies: string[] = [];
    try {
      const readFile = treeReader(tree.dir);
      const renderer =
        application.source.renderer === 'auto'
          ? await detectRenderer(application.source.path, readFile)
          : application.source.renderer;
      if (application.source.helm && renderer !== 'helm') {
        // Silently ignored options would deploy something else than the Application says.
        throw new EngineError(
          'INPUT_INVALID',
          `spec.source.helm is set, but ${application.source.path} renders with ${renderer} (a kustomization wins over a Chart.yaml)`,
          { file: application.source.path },
        );
      }
      dependencies = await this.dependenciesOf(
        renderer,
        application.source.path,
        readFile,
      );
      // Values files outside the chart directory are inputs too.
      if (renderer === 'helm') {
        dependencies = [
          ...new Set([
            ...dependencies,
            ...(application.source.helm?.valueFiles ?? []),
          ]),
        ];
      }
      const hashes = await Promise.all(
        dependencies.map(path => tree.treeHash(path)),
      );
      const sourceExists =
        (await tree.treeHash(application.source.path)) !== undefined;
      const cacheKey = createHash('sha256')
        .update(
          JSON.stringify({
            v: CACHE_KEY_VERSION,
            renderer,
            path: application.source.path,
            name: application.name,
            namespace: application.destination.namespace,
            helm: application.source.helm ?? null,
            dependencies: dependencies.map((path, i) => [
              path,
              hashes[i] ?? null,
            ]),
          }),
        )
        .digest('hex');

      const cached = this.cache.get(cacheKey);
      if (cached) return cached;
      let pending = this.inFlight.get(cacheKey);
      if (!pending) {
        pending = this.renderUncached(
          application,
          tree,
          renderer,
          dependencies,
          cacheKey,
          sourceExists,
        );
        this.inFlight.set(cacheKey, pending);
        pending
          .finally(() => this.inFlight.delete(cacheKey))
          .catch(() => undefined);
      }
      return await pending;
    } catch (error) {
      return this.failure(application, tree, dependencies, 'uncached', error);
    }
  }

  private async dependenciesOf(
    renderer: 'plain' | 'kustomize' | 'helm',
    path: string,
    readFile: ReadTreeFile,
  ): Promise<string[]> {
    if (renderer === 'kustomize') return kustomizeDependencies(path, readFile);
    if (renderer === 'helm') return helmDependencies(path, readFile);
    return [normalizeRepoPath(path)];
  }

  private async renderUncached(
    application: ApplicationSpec,
    tree: RenderTree,
    renderer: 'plain' | 'kustomize' | 'helm',
    dependencies: string[],
    cacheKey: string,
    sourceExists: boolean,
  ): Promise<RenderedApplication> {
    let result: RenderedApplication;
    let cacheable = true;
    try {
      if (!sourceExists) {
        throw new EngineError(
          'RENDER_PATH_INVALID',
          `path ${application.source.path} does not exist in the config repo`,
          { file: application.source.path },
        );
      }
      const { objects } = await this.render(application.source.path, {
        root: tree.dir,
        renderer,
        helm: {
          namespace: application.destination.namespace,
          // Helm release names are at most 53 characters; longer application names keep helm's default.
          releaseName:
            application.source.helm?.releaseName ??
            (application.name.length <= 53 ? application.name : undefined),
          valuesFiles: application.source.helm?.valueFiles,
        },
        env: this.options.env,
      });
      result = {
        application: application.name,
        cacheKey,
        dependencies,
        objects: deepFreeze(this.prepare(objects, application)),
      };
    } catch (error) {
      cacheable =
        error instanceof EngineError && DETERMINISTIC_CODES.has(error.code);
      result = this.failure(application, tree, dependencies, cacheKey, error);
    }
    if (cacheable) this.cache.set(cacheKey, result);
    return result;
  }

  /** Fills namespaces, adds the tracking label and refuses duplicates, in place so source locations stay attached. */
  private prepare(
    objects: KubeObject[],
    application: ApplicationSpec,
  ): KubeObject[] {
    const crds = objects.filter(o => o.kind === 'CustomResourceDefinition');
    const registry =
      crds.length > 0
        ? this.registry.withCustomResourceDefinitions(crds)
        : this.registry;
    const seen = new Map<string, KubeObject>();
    for (const object of objects) {
      const metadata = object.metadata;
      const namespaced = registry.isNamespaced(object.apiVersion, object.kind);
      if (namespaced === false) {
        // The API server drops it too; keeping it would make the desired key differ from the live one.
        delete metadata.namespace;
      } else if (!metadata.namespace) {
        // Unknown kinds count as namespaced, as most custom resources are.
        metadata.namespace = application.destination.namespace;
      }
      metadata.labels = {
        ...metadata.labels,
        [GITOPS_TRACKING_LABEL]: application.name,
      };

      const key = formatResourceKey(resourceKeyOf(object));
      const first = seen.get(key);
      if (first) {
        const where = (o: KubeObject) => describeLocation(sourceOf(o));
        throw new EngineError(
          'MANIFEST_DUPLICATE',
          `${object.kind} ${
            metadata.namespace ? `${metadata.namespace}/` : ''
          }${metadata.name} is declared twice (${where(first)} and ${where(
            object,
          )})`,
          sourceOf(object) ?? {},
        );
      }
      seen.set(key, object);
    }
    return objects;
  }

  private failure(
    application: ApplicationSpec,
    tree: RenderTree,
    dependencies: string[],
    cacheKey: string,
    error: unknown,
  ): RenderedApplication {
    const code =
      error instanceof EngineError && INVALID_MANIFEST_CODES.has(error.code)
        ? 'INVALID_MANIFEST'
        : 'RENDER_FAILED';
    const message = withoutTreeDir(
      error instanceof Error ? error.message : String(error),
      tree.dir,
    );
    this.options.logger?.warn(
      `gitops: application ${application.name} did not render: ${message}`,
    );
    return {
      application: application.name,
      cacheKey,
      dependencies,
      objects: [],
      problem: { code, message, since: this.now().toISOString() },
    };
  }
}

/** Reads files of a checked-out tree by config-root-relative path; never outside it, never large files. */
function treeReader(dir: string): ReadTreeFile {
  return async path => {
    let full: string;
    try {
      full = join(dir, normalizeRepoPath(path));
    } catch {
      return undefined;
    }
    try {
      const stat = await fs.lstat(full);
      if (!stat.isFile() || stat.size > MAX_DESCRIPTOR_BYTES) return undefined;
      return await fs.readFile(full, 'utf8');
    } catch {
      return undefined;
    }
  };
}

function describeLocation(location: SourceLocation | undefined): string {
  if (!location?.file) return 'unknown file';
  return location.line === undefined
    ? location.file
    : `${location.file} line ${location.line}`;
}

/** Messages reach the UI: machine paths of the working directory are not its business. */
function withoutTreeDir(message: string, dir: string): string {
  return message.split(`${dir}/`).join('').split(dir).join('.');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
