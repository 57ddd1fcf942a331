import type { Revision } from '@backstage-gitops/plugin-gitops-common';
import { Link, Text } from '@backstage/ui';

/** The short sha of a config repo commit, linked to the forge when the repo is hosted on one. */
export function RevisionLink(props: { revision?: Revision }) {
  const { revision } = props;
  if (!revision) return <Text color="secondary">none</Text>;
  const shortSha = revision.sha.slice(0, 7);
  const title = [revision.message, revision.author].filter(Boolean).join(' · ');
  return revision.url ? (
    <Link
      href={revision.url}
      target="_blank"
      rel="noopener noreferrer"
      title={title || revision.sha}
    >
      <code>{shortSha}</code>
    </Link>
  ) : (
    <Text title={title || revision.sha}>
      <code>{shortSha}</code>
    </Text>
  );
}
