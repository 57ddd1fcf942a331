import { access } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, type SourceLocation } from '../errors';
import type { KubeObject } from '../types';
import { parseManifests } from '../yaml/parseManifests';
import { recordSource, sourceOf } from '../yaml/sourceOf';
import {
  readPlainDirectory,
  type PlainDirectoryLimits,
} from './readPlainDirectory';
import { resolveInside } from './resolveInside';
import { runTool, type ToolInvocation } from './runTool';

export type Renderer = 'plain' | 'kustomize' | 'helm';

export interface RenderOptions {
  /** `auto` (default) picks kustomize when a kustomization exists, helm when Chart.yaml exists, else plain. */
  renderer?: Renderer | 'auto';
  /**
   * The repository root. When given, `dir` and values files must be relative paths that stay inside it;
   * when omitted, `dir` itself is the root.
   */
  root?: string;
  helm?: {
    /** Default: the chart directory's name. */
    releaseName?: string;
    /** Default: `default`. */
    namespace?: string;
    /** Values files, relative to the root, applied in order. */
    valuesFiles?: string[];
  };
  limits?: PlainDirectoryLimits & {
    /** Per renderer run. Default 60 s. */
    timeoutMs?: number;
    /** Most bytes a renderer may print. Default 64 MiB. */
    maxOutputBytes?: number;
  };
  /** Where `KUSTOMIZE_BIN`, `HELM_BIN` and `PATH` are read from. Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export interface RenderResult {
  renderer: Renderer;
  /** Rendered objects; `sourceOf(object)` says which file (or template) and document each came from. */
  objects: KubeObject[];
}

const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Renders the manifests of one application directory: plain YAML/JSON files, `kustomize build`, or
 * `helm template`. The tools run without a shell, with a timeout and an output cap; a missing tool is
 * `RENDER_TOOL_MISSING`, a path that escapes the root `RENDER_PATH_INVALID`.
 */
export async function renderDirectory(
  dir: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const root = options.root ?? dir;
  const realDir = await resolveInside(
    root,
    options.root === undefined ? '.' : dir,
  );
  const shown = options.root === undefined ? '.' : dir;
  const renderer =
    options.renderer === undefined || options.renderer === 'auto'
      ? await detectRenderer(realDir)
      : options.renderer;
  const limits = options.limits ?? {};
  const tool = {
    cwd: realDir,
    timeoutMs: limits.timeoutMs ?? 60_000,
    maxOutputBytes: limits.maxOutputBytes ?? 64 * 1024 * 1024,
    env: options.env ?? process.env,
  };

  switch (renderer) {
    case 'plain':
      return {
        renderer,
        objects: await readPlainDirectory(root, realDir, limits),
      };
    case 'kustomize': {
      const configured = tool.env.KUSTOMIZE_BIN;
      // `kubectl kustomize` is the same kustomize, built into kubectl.
      const invocations: ToolInvocation[] = configured
        ? [{ command: configured, args: ['build', realDir] }]
        : [
            { command: 'kustomize', args: ['build', realDir] },
            { command: 'kubectl', args: ['kustomize', realDir] },
          ];
      const output = await runTool('kustomize', invocations, {
        ...tool,
        installHint:
          'install kustomize (or kubectl) on PATH, or set KUSTOMIZE_BIN to its path',
      });
      return {
        renderer,
        objects: parseManifests(output, {
          file: `${shown} (kustomize build)`,
          maxBytes: tool.maxOutputBytes,
        }),
      };
    }
    case 'helm': {
      const helm = options.helm ?? {};
      const releaseName =
        helm.releaseName ?? path.basename(realDir).toLowerCase();
      if (releaseName.length > 53 || !RELEASE_NAME.test(releaseName)) {
        throw new EngineError(
          'INPUT_INVALID',
          `release name ${JSON.stringify(
            releaseName,
          )} is not valid (lowercase letters, digits and '-', at most 53 characters)`,
        );
      }
      const namespace = helm.namespace ?? 'default';
      if (namespace.length > 63 || !NAMESPACE.test(namespace)) {
        throw new EngineError(
          'INPUT_INVALID',
          `namespace ${JSON.stringify(namespace)} is not a valid DNS label`,
        );
      }
      const values: string[] = [];
      for (const file of helm.valuesFiles ?? []) {
        values.push('--values', await resolveInside(root, file));
      }
      const command = tool.env.HELM_BIN || 'helm';
      const output = await runTool(
        'helm',
        [
          {
            command,
            args: [
              'template',
              releaseName,
              realDir,
              '--namespace',
              namespace,
              ...values,
            ],
          },
        ],
        {
          ...tool,
          installHint: 'install helm on PATH, or set HELM_BIN to its path',
        },
      );
      return {
        renderer,
        objects: attributeToTemplates(
          parseManifests(output, {
            file: `${shown} (helm template)`,
            maxBytes: tool.maxOutputBytes,
          }),
          output,
        ),
      };
    }
    default:
      throw new EngineError(
        'INPUT_INVALID',
        `unknown renderer ${JSON.stringify(
          renderer,
        )}; use plain, kustomize, helm or auto`,
      );
  }
}

async function detectRenderer(dir: string): Promise<Renderer> {
  const exists = (name: string) =>
    access(path.join(dir, name)).then(
      () => true,
      () => false,
    );
  for (const name of KUSTOMIZATION_FILES) {
    if (await exists(name)) {
      return 'kustomize';
    }
  }
  return (await exists('Chart.yaml')) ? 'helm' : 'plain';
}

/** Helm prints `# Source: chart/templates/x.yaml` before each document; name that template as the object's file. */
function attributeToTemplates(
  objects: KubeObject[],
  output: string,
): KubeObject[] {
  const sources: Array<{ line: number; file: string }> = [];
  output.split('\n').forEach((text, index) => {
    const match = /^# Source: (.+?)\s*$/.exec(text);
    if (match) {
      sources.push({ line: index + 1, file: match[1] });
    }
  });
  for (const object of objects) {
    const location = sourceOf(object);
    const template = [...sources]
      .reverse()
      .find(
        source => location?.line !== undefined && source.line < location.line,
      );
    if (location && template) {
      // Lines of the rendered output mean nothing in the template, so only the document index is kept.
      const attributed: SourceLocation = {
        file: `${template.file} (helm template)`,
        document: location.document,
      };
      recordSource(object, attributed);
    }
  }
  return objects;
}
