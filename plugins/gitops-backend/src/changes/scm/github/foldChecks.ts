import type { CheckState } from '@backstage-gitops/plugin-gitops-node';

/** The combined commit status of a ref, as `GET /repos/{owner}/{repo}/commits/{ref}/status` answers it. */
export interface CombinedStatus {
  state: string;
  total_count: number;
}

/** One check run, as `GET /repos/{owner}/{repo}/commits/{ref}/check-runs` lists it. */
export interface CheckRun {
  status: string | null;
  conclusion: string | null;
}

// Conclusions GitHub's branch protection counts as passing.
const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

/**
 * Folds commit statuses and check runs into one state: any failure fails, then anything still running
 * is pending, then success; `none` when the commit has neither.
 */
export function foldChecks(
  combined: CombinedStatus,
  checkRuns: CheckRun[],
): CheckState {
  const states: CheckState[] = [];
  // GitHub reports `pending` for a commit without any status; that is no check at all.
  if (combined.total_count > 0) {
    states.push(statusState(combined.state));
  }
  for (const run of checkRuns) {
    if (run.status !== 'completed') {
      states.push('pending');
    } else {
      states.push(
        PASSING_CONCLUSIONS.has(run.conclusion ?? '') ? 'success' : 'failure',
      );
    }
  }
  if (states.includes('failure')) {
    return 'failure';
  }
  if (states.includes('pending')) {
    return 'pending';
  }
  return states.length > 0 ? 'success' : 'none';
}

function statusState(state: string): CheckState {
  if (state === 'success') {
    return 'success';
  }
  return state === 'pending' ? 'pending' : 'failure';
}
