import { Text } from '@backstage/ui';
import { useMemo, type CSSProperties } from 'react';
import {
  Diff,
  Hunk,
  parseDiff,
  type DiffType,
  type FileData,
} from 'react-diff-view';
import 'react-diff-view/style/index.css';

// react-diff-view's colours, taken from the Backstage UI theme so the diff follows light and dark mode.
// Set inline rather than in a stylesheet of ours, which a bundler could drop from a side-effect-free package.
const THEME = {
  '--diff-background-color': 'var(--bui-bg-neutral-1)',
  '--diff-text-color': 'var(--bui-fg-primary)',
  '--diff-font-family': 'var(--bui-font-monospace)',
  '--diff-code-insert-background-color': 'var(--bui-positive-bg-subdued)',
  '--diff-code-insert-text-color': 'var(--bui-fg-primary)',
  '--diff-code-insert-edit-background-color': 'var(--bui-positive-bg-subdued)',
  '--diff-gutter-insert-background-color': 'var(--bui-positive-bg-subdued)',
  '--diff-gutter-insert-text-color': 'var(--bui-fg-secondary)',
  '--diff-code-delete-background-color': 'var(--bui-negative-bg-subdued)',
  '--diff-code-delete-text-color': 'var(--bui-fg-primary)',
  '--diff-code-delete-edit-background-color': 'var(--bui-negative-bg-subdued)',
  '--diff-gutter-delete-background-color': 'var(--bui-negative-bg-subdued)',
  '--diff-gutter-delete-text-color': 'var(--bui-fg-secondary)',
  '--diff-omit-gutter-line-color': 'var(--bui-border-2)',
  border: '1px solid var(--bui-border-1)',
  borderRadius: 'var(--bui-radius-2)',
  overflowX: 'auto',
  fontSize: 'var(--bui-font-size-2)',
  margin: 0,
} as CSSProperties;

/**
 * A unified diff (git style, `---`/`+++` headers and hunks) as a table of changed lines.
 * `type` says whether the file is new or removed, which the diff text alone may not.
 */
export function DiffView(props: {
  diff: string;
  label: string;
  type?: DiffType;
}) {
  const { diff, label, type } = props;
  const files = useMemo(() => parse(diff), [diff]);

  const withHunks = files?.filter(file => file.hunks.length > 0) ?? [];
  // Something that is not a diff still goes on screen: the reviewer must see what will be written.
  if (withHunks.length === 0 && !isHeadersOnly(diff)) {
    return (
      <pre aria-label={label} style={THEME}>
        {diff}
      </pre>
    );
  }
  if (withHunks.length === 0) {
    return <Text color="secondary">No line changes.</Text>;
  }
  return (
    <div style={THEME} role="group" aria-label={label}>
      {withHunks.map((file, index) => (
        <Diff
          key={`${file.oldPath}:${file.newPath}:${index}`}
          viewType="unified"
          diffType={type ?? file.type}
          hunks={file.hunks}
        >
          {hunks => hunks.map(hunk => <Hunk key={hunk.content} hunk={hunk} />)}
        </Diff>
      ))}
    </div>
  );
}

function parse(diff: string): FileData[] | undefined {
  try {
    return parseDiff(diff, { nearbySequences: 'zip' });
  } catch {
    return undefined;
  }
}

const HEADER_LINE =
  /^(diff |index |--- |\+\+\+ |new file|deleted file|old mode|new mode|similarity|rename |copy |Binary )/;

/** True for a diff that names files but changes no line (a mode change, an empty file). */
function isHeadersOnly(diff: string): boolean {
  return diff
    .split('\n')
    .filter(line => line.trim() !== '')
    .every(line => HEADER_LINE.test(line));
}
