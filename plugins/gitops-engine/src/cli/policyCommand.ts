import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EngineError } from '../errors';
import {
  evaluatePolicies,
  loadPolicies,
  type Policy,
  type PolicyOperation,
} from '../policy';
import type { KubeObject } from '../types';
import { EXIT, type CliIo, type Command } from './CliIo';
import { parseCommandArgs } from './parseCommandArgs';
import { readManifestFile, readTextFile } from './readManifestFile';

const USAGE = `Usage: gitops policy POLICY_DIR MANIFEST... [--environment ENV] [--application APP] [--operation OP]

Evaluates every Policy (*.yaml, *.yml) under POLICY_DIR against the objects in the MANIFEST files.
Warnings go to stderr; the last line on stdout is
  {"verdict": "allow" | "warn" | "deny", "checked": N, "results": [failed or errored validations]}

Options:
  --environment ENV   the environment the change targets (for matchConstraints.environments)
  --application APP   the application the change belongs to
  --operation OP      CREATE (default), UPDATE or DELETE
  -h, --help          show this help

Exit status: 0 allowed (also with warnings), 1 denied, 2 error.`;

const OPERATIONS: PolicyOperation[] = ['CREATE', 'UPDATE', 'DELETE'];
// Generous for a CLI run; the per-expression iteration budget is what stops runaway expressions.
const TIME_BUDGET_MS = 60_000;

export const policyCommand: Command = {
  name: 'policy',
  summary: 'check manifests against CEL policies',
  usage: USAGE,
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        environment: { type: 'string' },
        application: { type: 'string' },
        operation: { type: 'string' },
      },
      { min: 2 },
      USAGE,
    );
    const operation = (
      (values.operation as string | undefined) ?? 'CREATE'
    ).toUpperCase() as PolicyOperation;
    if (!OPERATIONS.includes(operation)) {
      throw new EngineError(
        'INPUT_INVALID',
        `--operation must be one of ${OPERATIONS.join(', ')}`,
      );
    }
    const [policyDir, ...manifestFiles] = positionals;
    const policies: Policy[] = [];
    for (const file of await listPolicyFiles(policyDir, io)) {
      policies.push(...loadPolicies(await readTextFile(file, io), file));
    }
    const objects: KubeObject[] = [];
    for (const file of manifestFiles) {
      objects.push(...(await readManifestFile(file, io)));
    }
    const changes = objects.map(object => ({
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'CREATE' ? null : object,
      operation,
      environment: values.environment as string | undefined,
      application: values.application as string | undefined,
    }));
    const { verdict, results } = evaluatePolicies(policies, changes, {
      now: () => performance.now(),
      timeBudgetMs: TIME_BUDGET_MS,
    });
    const failed = results.filter(result => !result.allowed || result.error);
    for (const result of failed) {
      if (!result.allowed && result.action !== 'Deny') {
        io.stderr(
          `${result.action.toLowerCase()}: ${result.policy} on ${
            result.object
          }: ${result.message}\n`,
        );
      } else if (!result.allowed) {
        io.stderr(
          `denied: ${result.policy} on ${result.object}: ${result.message}\n`,
        );
      } else if (result.error) {
        io.stderr(
          `ignored error: ${result.policy} on ${result.object}: ${result.error.message}\n`,
        );
      }
    }
    io.stdout(
      `${JSON.stringify({
        verdict,
        checked: results.length,
        results: failed,
      })}\n`,
    );
    return verdict === 'deny' ? EXIT.failed : EXIT.ok;
  },
};

/** Policy files directly in the directory or below it, sorted, dotfiles skipped. */
async function listPolicyFiles(dir: string, io: CliIo): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string) => {
    const entries = (
      await readdir(path.resolve(io.cwd, relative), { withFileTypes: true })
    ).sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
    for (const entry of entries) {
      const child = path.join(relative, entry.name);
      if (entry.name.startsWith('.')) {
        continue;
      }
      if (entry.isDirectory()) {
        await walk(child);
      } else if (/\.ya?ml$/i.test(entry.name)) {
        files.push(child);
      }
    }
  };
  const info = await stat(path.resolve(io.cwd, dir)).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new EngineError(
      'INPUT_INVALID',
      `${dir} is not a directory of policies`,
      { file: dir },
    );
  }
  await walk(dir);
  if (files.length === 0) {
    throw new EngineError(
      'INPUT_INVALID',
      `no policy files (*.yaml) in ${dir}`,
      { file: dir },
    );
  }
  return files;
}
