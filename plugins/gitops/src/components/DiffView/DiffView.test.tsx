import { render, screen, within } from '@testing-library/react';
import { DiffView } from './DiffView';

const diff = [
  '--- a/values.yaml',
  '+++ b/values.yaml',
  '@@ -1,3 +1,3 @@',
  ' replicaCount: 2',
  '-tag: 1.4.2',
  '+tag: 1.5.0',
  ' port: 8080',
  '',
].join('\n');

describe('DiffView', () => {
  it('shows removed and added lines of a unified diff', () => {
    render(<DiffView diff={diff} label="Diff of values.yaml" />);

    const view = screen.getByRole('group', { name: 'Diff of values.yaml' });
    expect(within(view).getByText('tag: 1.4.2').closest('td')).toHaveClass(
      'diff-code-delete',
    );
    expect(within(view).getByText('tag: 1.5.0').closest('td')).toHaveClass(
      'diff-code-insert',
    );
    expect(within(view).getByText('replicaCount: 2')).toBeInTheDocument();
  });

  it('says so when the diff has no hunk', () => {
    render(<DiffView diff={'--- a/x\n+++ b/x\n'} label="Diff of x" />);

    expect(screen.getByText('No line changes.')).toBeInTheDocument();
  });

  it('shows text that is not a diff as it is', () => {
    render(<DiffView diff={'kind: ConfigMap\nname: x\n'} label="Diff of x" />);

    expect(screen.getByLabelText('Diff of x')).toHaveTextContent(
      'kind: ConfigMap name: x',
    );
  });
});
