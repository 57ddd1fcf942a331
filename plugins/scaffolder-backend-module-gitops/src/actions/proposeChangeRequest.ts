import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import {
  ChangePreview,
  ChangeRequest,
  ChangeRequestState,
  CreateChangeRequestBody,
  PolicyDecision,
  PolicyReport,
} from '@backstage-gitops/plugin-gitops-common';
import type { GitOpsChangesClient } from '../client/GitOpsChangesClient';
import { ChangeRequestFailedError } from './ChangeRequestFailedError';
import { changeIdempotencyKey } from './changeIdempotencyKey';

/** What a proposal step reports: the change request, or in a dry run what it would be. */
export interface ChangeOutcome {
  /** Absent in a dry run: nothing was created. */
  changeRequestId?: string;
  /** In a dry run: `checked`, or `rejected` when the policy verdict is deny. */
  state: ChangeRequestState;
  pullRequestUrl?: string;
  policyVerdict: PolicyDecision;
  /** Dry run only: the config repo files the change would edit or create. */
  files?: string[];
}

type ProposalContext = Pick<
  ActionContext<any, any>,
  | 'logger'
  | 'checkpoint'
  | 'getInitiatorCredentials'
  | 'isDryRun'
  | 'task'
  | 'step'
>;

const FAILED_STATES: ReadonlySet<ChangeRequestState> = new Set([
  'rejected',
  'closed',
  'failed',
]);

/**
 * Proposes `body` as a change request, once per task, step and body: the POST runs in a checkpoint and
 * carries an idempotency key, so neither a resumed task nor a retry after a lost answer opens a second pull
 * request. In a dry run it only previews. Throws when the change request is rejected, closed or failed.
 */
export async function proposeChangeRequest(options: {
  ctx: ProposalContext;
  client: GitOpsChangesClient;
  body: CreateChangeRequestBody;
  /** Checked before previewing or creating; not again once a resumed task has its change request. */
  precondition?: (credentials: BackstageCredentials) => Promise<void>;
}): Promise<ChangeOutcome> {
  const { ctx, client, body, precondition } = options;
  const credentials = await ctx.getInitiatorCredentials();

  if (ctx.isDryRun) {
    await precondition?.(credentials);
    const preview = await client.previewChange(body, { credentials });
    logPreview(ctx, preview);
    return {
      state: preview.policy.verdict === 'deny' ? 'rejected' : 'checked',
      policyVerdict: preview.policy.verdict,
      files: preview.files.map(file => file.path),
    };
  }

  const idempotencyKey = changeIdempotencyKey({
    taskId: ctx.task.id,
    stepId: ctx.step?.id,
    body,
  });
  let ranNow = false;
  const outcome = await ctx.checkpoint({
    key: `gitops.change.create.${idempotencyKey}`,
    fn: async () => {
      ranNow = true;
      await precondition?.(credentials);
      const { changeRequest, created } = await client.createChange(
        { ...body, idempotencyKey },
        { credentials },
      );
      logChangeRequest(ctx, changeRequest, created);
      return {
        changeRequestId: changeRequest.id,
        state: changeRequest.state,
        pullRequestUrl: changeRequest.pullRequest?.url,
        policyVerdict: changeRequest.policy.verdict,
        reason: changeRequest.reason,
      };
    },
  });
  if (!ranNow) {
    ctx.logger.info(
      `Change request ${outcome.changeRequestId} was opened by an earlier run of this step; not proposing again`,
    );
  }
  if (FAILED_STATES.has(outcome.state)) {
    throw new ChangeRequestFailedError(
      outcome.changeRequestId,
      outcome.state,
      outcome.reason,
    );
  }
  const { reason: _reason, ...result } = outcome;
  return result;
}

function logPolicy(ctx: ProposalContext, policy: PolicyReport) {
  for (const finding of policy.findings) {
    const line = `Policy ${finding.policy} (${finding.action}) on ${finding.object} in ${finding.application}: ${finding.message}`;
    if (finding.action === 'Deny') {
      ctx.logger.error(line);
    } else {
      ctx.logger.warn(line);
    }
  }
}

function logPreview(ctx: ProposalContext, preview: ChangePreview) {
  ctx.logger.info(
    `Dry run, nothing pushed. Against ${
      preview.baseSha
    }, the change would edit ${preview.files.length} file(s): ${
      preview.files.map(file => file.path).join(', ') || 'none'
    }`,
  );
  for (const application of preview.applications) {
    ctx.logger.info(
      `${application.application} (${application.environment}): ${
        application.manifests
          .map(m => `${m.action} ${m.ref.kind}/${m.ref.name}`)
          .join(', ') || 'no rendered object changes'
      }`,
    );
  }
  ctx.logger.info(`Policy verdict: ${preview.policy.verdict}`);
  logPolicy(ctx, preview.policy);
  for (const window of preview.windows.filter(w => !w.open)) {
    ctx.logger.warn(
      `Change window closed for ${window.environment}${
        window.reason ? `: ${window.reason}` : ''
      }${window.nextOpenAt ? ` (opens ${window.nextOpenAt})` : ''}`,
    );
  }
  for (const rule of preview.approvalsRequired) {
    ctx.logger.info(
      `Needs ${rule.count} approval(s) for ${rule.environment}${
        rule.from ? ` from ${rule.from.join(' or ')}` : ''
      }`,
    );
  }
}

function logChangeRequest(
  ctx: ProposalContext,
  changeRequest: ChangeRequest,
  created: boolean,
) {
  const where =
    changeRequest.pullRequest?.url ?? changeRequest.pullRequest?.branch;
  ctx.logger.info(
    `${created ? 'Opened' : 'Found the earlier'} change request ${
      changeRequest.id
    } (${changeRequest.state})${where ? `: ${where}` : ''}`,
  );
  logPolicy(ctx, changeRequest.policy);
}
