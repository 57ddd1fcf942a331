import {
  EngineError,
  parseYaml,
  type YamlDocument,
} from '@backstage-gitops/gitops-engine';
import type { ApplicationSpec } from '@backstage-gitops/plugin-gitops-common';
import { promises as fs } from 'node:fs';
import { normalizeRepoPath } from '../git/normalizeRepoPath';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  applicationDocumentSchema,
} from './applicationDocumentSchema';

/** Why one file or document under `applications/` was not loaded; the other applications still are. */
export interface ApplicationError {
  /** Relative to the config root, e.g. `applications/shop-api.yaml`. */
  file: string;
  /** Zero-based document index within the file, when the error is about one document. */
  document?: number;
  line?: number;
  column?: number;
  message: string;
  /** The application's name, when the document got far enough to have one. */
  application?: string;
}

export interface LoadedApplications {
  applications: ApplicationSpec[];
  errors: ApplicationError[];
  /** What each file held, for the next load's `previous` (empty without `contentId`). */
  files: ParsedApplicationFiles;
}

/** The documents of each application file, by path, with the content id they were parsed from. */
export type ParsedApplicationFiles = ReadonlyMap<string, ParsedApplicationFile>;

interface ParsedApplicationFile {
  contentId: string;
  entries: ReadonlyArray<FileEntry>;
}

type FileEntry =
  | { error: ApplicationError }
  | {
      application: ApplicationSpec;
      document: number;
      /** Where `metadata.name` is, for the error when another file declared the name first. */
      nameAt: { line?: number; column?: number };
    };

export interface LoadApplicationsOptions {
  /** A file's content id at this commit (its git object id): equal ids mean equal content. */
  contentId?: (file: string) => Promise<string | undefined>;
  /** The `files` of an earlier load: a file whose content id is unchanged is not read or parsed again. */
  previous?: ParsedApplicationFiles;
}

const APPLICATIONS_DIR = 'applications';
const APPLICATION_FILE = /\.ya?ml$/i;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 10_000;
// A line starting with `---` always starts a new YAML document, even inside a block scalar.
const DOCUMENT_START = /^---(?=[ \t]|$)/;

/**
 * Reads every `Application` in `<treeDir>/applications/**.yaml|yml` of one config repo. A bad file or
 * document becomes an error naming file, document and line, and never hides the good ones; of two
 * applications with one name, the later (by file path, then document) is the error. Given content ids
 * and the previous load, only the files that changed are parsed: a commit to one of 10,000 files
 * parses one.
 */
export async function loadApplications(
  treeDir: string,
  repoId: string,
  options: LoadApplicationsOptions = {},
): Promise<LoadedApplications> {
  const applications: ApplicationSpec[] = [];
  const errors: ApplicationError[] = [];
  const declared = new Map<string, ApplicationSpec>();
  const parsedFiles = new Map<string, ParsedApplicationFile>();

  const files = await listApplicationFiles(treeDir, errors);
  for (const file of files) {
    let contentId = await options.contentId?.(file);
    const previous =
      contentId === undefined ? undefined : options.previous?.get(file);
    let entries: ReadonlyArray<FileEntry>;
    if (previous && previous.contentId === contentId) {
      entries = previous.entries;
    } else {
      const parsed = await parseFile(treeDir, file, repoId);
      entries = parsed.entries;
      // A file that could not be read (EMFILE, EIO) is read again next time, not remembered as broken.
      if (!parsed.readable) contentId = undefined;
    }
    if (contentId !== undefined) parsedFiles.set(file, { contentId, entries });
    for (const entry of entries) {
      if ('error' in entry) {
        errors.push(entry.error);
        continue;
      }
      const { application } = entry;
      const first = declared.get(application.name);
      if (first) {
        errors.push({
          file,
          document: entry.document,
          ...entry.nameAt,
          application: application.name,
          message: `application "${application.name}" is already declared in ${first.declaredIn}`,
        });
        continue;
      }
      declared.set(application.name, application);
      applications.push(application);
    }
  }
  return { applications, errors, files: parsedFiles };
}

/** One file's documents, each an application or the error that kept it out. */
async function parseFile(
  treeDir: string,
  file: string,
  repoId: string,
): Promise<{ entries: FileEntry[]; readable: boolean }> {
  const read = await readApplicationFile(join(treeDir, file), file);
  if ('error' in read)
    return { entries: [{ error: read.error }], readable: !read.transient };
  const { text } = read;
  const entries: FileEntry[] = [];
  for (const parsed of parseDocuments(text, file)) {
    if ('error' in parsed) {
      entries.push({ error: parsed.error });
      continue;
    }
    const result = toApplication(
      parsed.document,
      parsed.lineOffset,
      file,
      repoId,
    );
    if ('error' in result) {
      entries.push({ error: result.error });
      continue;
    }
    entries.push({
      application: result.application,
      document: parsed.document.index,
      nameAt: locate(parsed.document, parsed.lineOffset, ['metadata', 'name']),
    });
  }
  return { entries, readable: true };
}

async function listApplicationFiles(
  treeDir: string,
  errors: ApplicationError[],
): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(join(treeDir, relative), {
        withFileTypes: true,
      });
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code !== 'ENOENT' ||
        relative !== APPLICATIONS_DIR
      ) {
        errors.push({
          file: relative,
          message: `cannot read directory: ${(error as Error).message}`,
        });
      }
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${relative}/${entry.name}`;
      // Symlinks are skipped: they could point anywhere on the machine.
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile() && APPLICATION_FILE.test(entry.name)) {
        if (files.length >= MAX_FILES) {
          errors.push({
            file: path,
            message: `more than ${MAX_FILES} application files; the rest are ignored`,
          });
          return;
        }
        files.push(path);
      }
    }
  };
  await walk(APPLICATIONS_DIR);
  return files;
}

/** A file's text, or why not: too large (a property of its content) or unreadable (the machine's, may pass). */
async function readApplicationFile(
  fullPath: string,
  file: string,
): Promise<{ text: string } | { error: ApplicationError; transient: boolean }> {
  try {
    const { size } = await fs.stat(fullPath);
    if (size > MAX_FILE_BYTES) {
      return {
        error: {
          file,
          message: `file is ${size} bytes, more than the limit of ${MAX_FILE_BYTES}`,
        },
        transient: false,
      };
    }
    return { text: await fs.readFile(fullPath, 'utf8') };
  } catch (error) {
    return {
      error: { file, message: `cannot read file: ${(error as Error).message}` },
      transient: true,
    };
  }
}

type ParsedDocument =
  | { document: YamlDocument; lineOffset: number }
  | { error: ApplicationError };

/**
 * Parses a file's documents; when one document is broken, re-parses document by document so the
 * others still load. Line numbers stay those of the whole file.
 */
function parseDocuments(text: string, file: string): ParsedDocument[] {
  try {
    return parseYaml(text, { file }).map(document => ({
      document,
      lineOffset: 0,
    }));
  } catch (error) {
    if (
      !(error instanceof EngineError) ||
      error.location.document === undefined
    ) {
      return [{ error: fromEngineError(error, file, 0, undefined) }];
    }
  }
  const parsed: ParsedDocument[] = [];
  let index = 0;
  for (const segment of splitDocuments(text)) {
    try {
      for (const document of parseYaml(segment.text, { file })) {
        parsed.push({
          document: { ...document, index: index++ },
          lineOffset: segment.lineOffset,
        });
      }
    } catch (error) {
      parsed.push({
        error: fromEngineError(error, file, segment.lineOffset, index++),
      });
    }
  }
  return parsed;
}

function splitDocuments(
  text: string,
): Array<{ text: string; lineOffset: number }> {
  const lines = text.split('\n');
  const segments: Array<{ text: string; lineOffset: number }> = [];
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    if (i === lines.length || DOCUMENT_START.test(lines[i])) {
      segments.push({
        text: lines.slice(start, i).join('\n'),
        lineOffset: start,
      });
      start = i;
    }
  }
  return segments;
}

function fromEngineError(
  error: unknown,
  file: string,
  lineOffset: number,
  document: number | undefined,
): ApplicationError {
  if (!(error instanceof EngineError)) {
    return {
      file,
      document,
      message: String((error as Error)?.message ?? error),
    };
  }
  const { line, column } = error.location;
  return {
    file,
    document: document ?? error.location.document,
    line: line === undefined ? undefined : line + lineOffset,
    column,
    message: withoutLocation(error),
  };
}

/** The engine's message starts with the location, which the error's fields carry already. */
function withoutLocation(error: EngineError): string {
  const loc = error.location;
  const prefix = [
    loc.file,
    loc.document !== undefined ? `document ${loc.document}` : undefined,
    loc.line !== undefined
      ? `line ${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`
      : undefined,
    loc.path,
  ]
    .filter(Boolean)
    .join(', ');
  return prefix && error.message.startsWith(`${prefix}: `)
    ? error.message.slice(prefix.length + 2)
    : error.message;
}

function toApplication(
  document: YamlDocument,
  lineOffset: number,
  file: string,
  repoId: string,
): { application: ApplicationSpec } | { error: ApplicationError } {
  const value = document.value as Record<string, any> | null;
  const fail = (path: ReadonlyArray<PropertyKey>, message: string) => ({
    error: {
      file,
      document: document.index,
      ...locate(document, lineOffset, path),
      ...(typeof value?.metadata?.name === 'string'
        ? { application: value.metadata.name }
        : {}),
      message,
    },
  });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(
      [],
      `an Application must be a mapping, not ${
        Array.isArray(value) ? 'a list' : typeof value
      }`,
    );
  }
  if (
    value.apiVersion !== APPLICATION_API_VERSION ||
    value.kind !== APPLICATION_KIND
  ) {
    return fail(
      value.kind !== APPLICATION_KIND ? ['kind'] : ['apiVersion'],
      `found ${describeKind(
        value,
      )}; every document under applications/ must be apiVersion: ${APPLICATION_API_VERSION}, kind: ${APPLICATION_KIND}`,
    );
  }
  const result = applicationDocumentSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return fail(issuePath(issue), describeIssue(issue, value));
  }
  const { metadata, spec } = result.data;
  return {
    application: {
      name: metadata.name,
      entityRef: spec.entityRef,
      environment: spec.environment,
      source: {
        repo: repoId,
        path: spec.source.path,
        renderer: spec.source.renderer,
        ...(spec.source.helm && {
          helm: {
            // Stored relative to the config root, as every other path the backend reads.
            valueFiles: spec.source.helm.valueFiles.map(valueFile =>
              normalizeRepoPath(`${spec.source.path}/${valueFile}`),
            ),
            ...(spec.source.helm.releaseName && {
              releaseName: spec.source.helm.releaseName,
            }),
          },
        }),
      },
      destination: {
        cluster: spec.destination.cluster,
        namespace: spec.destination.namespace,
      },
      syncPolicy: { ...spec.syncPolicy },
      declaredIn: file,
    },
  };
}

function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return [...issue.path, issue.keys[0]];
  }
  return issue.path;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? `${path} has` : 'the document has';
    return `${where} unknown field${
      issue.keys.length > 1 ? 's' : ''
    } ${issue.keys.map(k => `"${k}"`).join(', ')}`;
  }
  if (
    issue.code === 'invalid_type' &&
    valueAt(value, issue.path) === undefined
  ) {
    return `${path} is required`;
  }
  return path && !issue.message.startsWith(path)
    ? `${path}: ${issue.message}`
    : issue.message;
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The part of a `yaml` collection node this file reads; sequences have no keys. */
interface YamlCollectionNode {
  items?: Array<
    { key?: { value?: unknown; range?: [number, number, number] } } | undefined
  >;
}

/**
 * Line and column of the field at `path`, or of the deepest parent that exists, so a missing field
 * points at its parent. A mapping entry points at its key: a block value starts on the next line.
 */
function locate(
  document: YamlDocument,
  lineOffset: number,
  path: ReadonlyArray<PropertyKey>,
): { line?: number; column?: number } {
  const at = (offset: number) => {
    const { line, column } = document.positionOf(offset);
    return { line: line + lineOffset, column };
  };
  for (let length = path.length; length >= 0; length--) {
    const node = document.document.getIn(
      path.slice(0, length) as unknown[],
      true,
    ) as { range?: [number, number, number] } | undefined;
    if (!node?.range) continue;
    const parent =
      length > 0
        ? (document.document.getIn(
            path.slice(0, length - 1) as unknown[],
            true,
          ) as YamlCollectionNode | undefined)
        : undefined;
    const keyRange = parent?.items?.find(
      item => item?.key?.value === path[length - 1],
    )?.key?.range;
    if (keyRange) return at(keyRange[0]);
    return at(node.range[0]);
  }
  return {
    line:
      document.location.line === undefined
        ? undefined
        : document.location.line + lineOffset,
  };
}

function describeKind(value: Record<string, unknown>): string {
  const kind =
    typeof value.kind === 'string' ? `kind ${value.kind}` : 'no kind';
  const apiVersion =
    typeof value.apiVersion === 'string'
      ? `apiVersion ${value.apiVersion}`
      : 'no apiVersion';
  return `${kind} (${apiVersion})`;
}
