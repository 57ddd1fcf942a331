import path from 'node:path';
import { stringify } from 'yaml';
import { renderDirectory, type Renderer } from '../render';
import { EngineError } from '../errors';
import { sourceOf } from '../yaml/sourceOf';
import { EXIT, type CliIo, type Command } from './CliIo';
import { parseCommandArgs } from './parseCommandArgs';

const USAGE = `Usage: gitops render DIR [--renderer auto|plain|kustomize|helm] [--values FILE]... [--release NAME] [--namespace NS]

Renders the manifests of DIR and prints them as multi-document YAML. With auto (the default),
a kustomization.yaml means kustomize build, a Chart.yaml means helm template, anything else
means every *.yaml, *.yml and *.json file under DIR. A relative DIR must stay inside the current
directory. kustomize and helm are found on PATH or through KUSTOMIZE_BIN and HELM_BIN.

Options:
  --renderer R     auto (default), plain, kustomize or helm
  --values FILE    Helm values file (repeatable)
  --release NAME   Helm release name (default: the chart directory's name)
  --namespace NS   Helm release namespace (default: default)
  -h, --help       show this help

Exit status: 0 rendered, 2 error.`;

const RENDERERS = ['auto', 'plain', 'kustomize', 'helm'];

export const renderCommand: Command = {
  name: 'render',
  summary: 'render a directory (plain YAML, Kustomize or Helm)',
  usage: USAGE,
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        renderer: { type: 'string' },
        values: { type: 'string', multiple: true },
        release: { type: 'string' },
        namespace: { type: 'string' },
      },
      1,
      USAGE,
    );
    const renderer = (values.renderer as string | undefined) ?? 'auto';
    if (!RENDERERS.includes(renderer)) {
      throw new EngineError(
        'INPUT_INVALID',
        `--renderer must be one of ${RENDERERS.join(', ')}`,
      );
    }
    const [dir] = positionals;
    // A relative directory is checked against the working directory; an absolute one is its own root.
    const root = path.isAbsolute(dir) ? dir : io.cwd;
    const result = await renderDirectory(path.isAbsolute(dir) ? '.' : dir, {
      renderer: renderer as Renderer | 'auto',
      root,
      env: io.env,
      helm: {
        releaseName: values.release as string | undefined,
        namespace: values.namespace as string | undefined,
        valuesFiles: values.values as string[] | undefined,
      },
    });
    for (const object of result.objects) {
      const source = sourceOf(object);
      const origin = source?.file
        ? `# Source: ${source.file}${
            source.document !== undefined
              ? ` (document ${source.document})`
              : ''
          }\n`
        : '';
      io.stdout(
        `---\n${origin}${stringify(object, { version: '1.1', lineWidth: 0 })}`,
      );
    }
    return EXIT.ok;
  },
};
