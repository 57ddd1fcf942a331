import type {
  ApprovalRule,
  ChangePreview,
  ChangeWindowReport,
  ManifestChange,
  PolicyReport,
} from '@backstage-gitops/plugin-gitops-common';
import { Alert, Flex, Tab, TabList, TabPanel, Tabs, Text } from '@backstage/ui';
import type { DiffType } from 'react-diff-view';
import { DiffView } from '../DiffView';
import { resourceKey } from '../ResourcesTable/resourceKey';
import { Section } from '../Section/Section';

const DIFF_TYPES: Record<ManifestChange['action'], DiffType> = {
  create: 'add',
  update: 'modify',
  delete: 'delete',
};

/** What a change would do, as the backend computed it: nothing has been pushed yet. */
export function ChangePreviewView(props: { preview: ChangePreview }) {
  const { preview } = props;
  return (
    <Flex direction="column" gap="4">
      <PolicyVerdict policy={preview.policy} />
      <ChangeWindows windows={preview.windows} />
      <ApprovalsRequired rules={preview.approvalsRequired} />
      <Section
        title="Changed files"
        subtitle={`Against config repo commit ${preview.baseSha.slice(0, 7)}`}
      >
        {preview.files.length === 0 ? (
          <Text color="secondary">
            The config repo already says this: no file changes.
          </Text>
        ) : (
          preview.files.map(file => (
            <Flex key={file.path} direction="column" gap="2">
              <Text as="h4" variant="title-x-small">
                <code>{file.path}</code>
              </Text>
              <DiffView diff={file.diff} label={`Diff of ${file.path}`} />
            </Flex>
          ))
        )}
      </Section>
      <Section title="Rendered manifests">
        {preview.applications.length === 0 ? (
          <Text color="secondary">No application is affected.</Text>
        ) : (
          <Tabs defaultSelectedKey={preview.applications[0].application}>
            <TabList aria-label="Affected environments">
              {preview.applications.map(app => (
                <Tab key={app.application} id={app.application}>
                  {app.environment}
                </Tab>
              ))}
            </TabList>
            {preview.applications.map(app => (
              <TabPanel key={app.application} id={app.application}>
                <Flex direction="column" gap="3">
                  {app.manifests.length === 0 ? (
                    <Text color="secondary">
                      No rendered object of {app.application} changes.
                    </Text>
                  ) : (
                    app.manifests.map(manifest => (
                      <ManifestDiff
                        key={resourceKey(manifest.ref)}
                        manifest={manifest}
                      />
                    ))
                  )}
                </Flex>
              </TabPanel>
            ))}
          </Tabs>
        )}
      </Section>
    </Flex>
  );
}

function ManifestDiff(props: { manifest: ManifestChange }) {
  const { ref, action, diff } = props.manifest;
  const name = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  return (
    <Flex direction="column" gap="2">
      <Text as="h4" variant="title-x-small">
        {ref.kind} {name} <Text color="secondary">({action})</Text>
      </Text>
      <DiffView
        diff={diff}
        type={DIFF_TYPES[action]}
        label={`Diff of ${ref.kind} ${name}`}
      />
    </Flex>
  );
}

/** The policy's verdict with its findings; a deny is what blocks submit. */
export function PolicyVerdict(props: { policy: PolicyReport }) {
  const { verdict, findings } = props.policy;
  const details =
    findings.length > 0 ? (
      <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
        {findings.map(finding => (
          <li key={`${finding.policy}|${finding.object}|${finding.message}`}>
            <strong>{finding.policy}</strong> ({finding.action}) on{' '}
            <code>{finding.object}</code> in {finding.application}:{' '}
            {finding.message}
          </li>
        ))}
      </ul>
    ) : undefined;
  if (verdict === 'deny') {
    return (
      <Alert
        status="danger"
        icon
        title="Policy denies this change"
        description={details}
      />
    );
  }
  if (verdict === 'warn') {
    return (
      <Alert
        status="warning"
        icon
        title="Policy warns about this change"
        description={details}
      />
    );
  }
  return (
    <Alert
      status="success"
      icon
      title="Policy allows this change"
      description={details}
    />
  );
}

function ChangeWindows(props: { windows: ChangeWindowReport[] }) {
  const closed = props.windows.filter(window => !window.open);
  const open = props.windows.filter(window => window.open);
  return (
    <>
      {closed.map(window => (
        <Alert
          key={window.environment}
          status="warning"
          icon
          title={`Change window closed for ${window.environment}`}
          description={[
            window.reason,
            window.nextOpenAt
              ? `Opens next ${new Date(window.nextOpenAt).toLocaleString()}.`
              : undefined,
          ]
            .filter(Boolean)
            .join('. ')}
        />
      ))}
      {open.length > 0 && (
        <Text color="secondary">
          Change window open for {open.map(w => w.environment).join(', ')}.
        </Text>
      )}
    </>
  );
}

export function ApprovalsRequired(props: { rules: ApprovalRule[] }) {
  if (props.rules.length === 0) {
    return <Text color="secondary">No approval is required before merge.</Text>;
  }
  return (
    <Flex direction="column" gap="1">
      <Text weight="bold">Approvals required before merge</Text>
      <ul style={{ margin: 0, paddingLeft: '1.2em' }}>
        {props.rules.map(rule => (
          <li key={rule.environment}>
            <Text>{describeApprovalRule(rule)}</Text>
          </li>
        ))}
      </ul>
    </Flex>
  );
}

export function describeApprovalRule(rule: ApprovalRule): string {
  const who = rule.from?.length ? ` from ${rule.from.join(' or ')}` : '';
  return `${rule.environment}: ${rule.count} ${
    rule.count === 1 ? 'approval' : 'approvals'
  }${who}`;
}
