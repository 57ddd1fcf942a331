import { CST, Parser } from 'yaml';
import { EngineError, type SourceLocation } from '../errors';
import { parseYaml, type YamlDocument } from '../yaml/parseYaml';
import { isPlainObject } from '../yaml/validateManifest';
import { columnOf, isMapToken, isSeqToken, realItems } from './cst';
import type { IndentStyle } from './renderFragment';

/** Which document of a file to edit: its zero-based index, or the object's kind and name. */
export type DocumentTarget =
  | number
  | { kind: string; name: string; namespace?: string };

/** One document of a file, opened for editing. */
export interface OpenedDocument {
  text: string;
  file?: string;
  index: number;
  documents: YamlDocument[];
  cst: CST.Document;
  eol: string;
  style: IndentStyle;
  where(offset: number, path?: string): SourceLocation;
}

/** Parses `text` (refusing bad YAML with the parser's errors) and finds the target document in its CST. */
export function openDocument(
  text: string,
  target: DocumentTarget,
  file?: string,
): OpenedDocument {
  const documents = parseYaml(text, { file });
  const index = selectDocument(documents, target, file);
  const positionOf = documents[index].positionOf;
  const tokens = Array.from(new Parser().parse(text));
  const cst = tokens.filter(
    (token): token is CST.Document => token.type === 'document',
  )[index];
  const firstNewline = text.indexOf('\n');
  return {
    text,
    file,
    index,
    documents,
    cst,
    eol: firstNewline > 0 && text[firstNewline - 1] === '\r' ? '\r\n' : '\n',
    style: detectStyle(text, cst),
    where: (offset, path) => ({
      file,
      document: index,
      ...positionOf(offset),
      path,
    }),
  };
}

function selectDocument(
  documents: YamlDocument[],
  target: DocumentTarget,
  file?: string,
): number {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0 || target >= documents.length) {
      throw new EngineError(
        'PATCH_TARGET_NOT_FOUND',
        `no document ${target}; the file has ${documents.length}`,
        { file },
      );
    }
    return target;
  }
  const matches = documents.filter(doc => {
    const value = doc.value;
    if (!isPlainObject(value) || !isPlainObject(value.metadata)) {
      return false;
    }
    const { name, namespace } = value.metadata;
    return (
      value.kind === target.kind &&
      name === target.name &&
      (target.namespace === undefined ||
        namespace === undefined ||
        namespace === target.namespace)
    );
  });
  const described = `${target.kind} ${
    target.namespace ? `${target.namespace}/` : ''
  }${target.name}`;
  if (matches.length === 0) {
    throw new EngineError(
      'PATCH_TARGET_NOT_FOUND',
      `no document declares ${described}`,
      { file },
    );
  }
  if (matches.length > 1) {
    throw new EngineError(
      'PATCH_INVALID',
      `${matches.length} documents declare ${described} (documents ${matches
        .map(doc => doc.index)
        .join(', ')}); name the namespace`,
      { file },
    );
  }
  return matches[0].index;
}

/** Learns the file's indentation from its first nested mapping and first list under a key. */
function detectStyle(
  text: string,
  document: CST.Document | undefined,
): IndentStyle {
  let unit: number | undefined;
  let seqIndent: number | undefined;
  const stack: Array<CST.Token | null | undefined> = [document?.value];
  while (stack.length > 0 && (unit === undefined || seqIndent === undefined)) {
    const token = stack.pop();
    if (!isMapToken(token) && !isSeqToken(token)) {
      continue;
    }
    for (const item of realItems(token)) {
      const value = item.value;
      if (token.type === 'block-map' && item.key && 'offset' in item.key) {
        const keyColumn = columnOf(text, item.key.offset);
        if (value?.type === 'block-map' && unit === undefined) {
          const first = realItems(value)[0]?.key;
          if (first && 'offset' in first) {
            unit = columnOf(text, first.offset) - keyColumn;
          }
        }
        if (value?.type === 'block-seq' && seqIndent === undefined) {
          seqIndent = columnOf(text, value.offset) - keyColumn;
        }
      }
      stack.push(value);
    }
  }
  const json = document?.value?.type === 'flow-collection';
  const finalUnit = unit !== undefined && unit > 0 ? unit : 2;
  return {
    unit: finalUnit,
    seqIndent:
      seqIndent !== undefined && seqIndent >= 0 ? seqIndent : finalUnit,
    json,
  };
}
