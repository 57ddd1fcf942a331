import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  ChangeRequest,
  ChangeRequestState,
  GITOPS_CHANGE_SIGNAL_CHANNEL,
  GitOpsChangeSignal,
} from '@backstage-gitops/plugin-gitops-common';
import type { ChangeListener } from './ChangeService';

// The steps a requester wants to hear about; the rest are visible on the request's page.
const NOTIFIED: Partial<Record<ChangeRequestState, { title: string; severity: 'normal' | 'high' | 'low' }>> = {
  'pr-open': { title: 'opened for review', severity: 'low' },
  merged: { title: 'merged', severity: 'normal' },
  healthy: { title: 'is running and healthy', severity: 'normal' },
  failed: { title: 'failed', severity: 'high' },
  closed: { title: 'was closed', severity: 'normal' },
};

/** Publishes every move on the `gitops:change` signal and notifies the requester of the steps that matter. */
export function createChangeListener(options: {
  signals: SignalsService;
  notifications?: NotificationService;
  logger: LoggerService;
  changePath(id: string): string;
}): ChangeListener {
  const { signals, notifications, logger } = options;
  return {
    onChange(request: ChangeRequest, previous: ChangeRequestState | undefined) {
      const message: GitOpsChangeSignal = { id: request.id, entityRef: request.entityRef, state: request.state };
      signals
        .publish({ recipients: { type: 'broadcast' }, channel: GITOPS_CHANGE_SIGNAL_CHANNEL, message: { ...message } })
        .catch(error => logger.warn(`Publishing a change signal failed: ${error}`));
      const step = NOTIFIED[request.state];
      if (!notifications || !step || previous === request.state) return;
      notifications
        .send({
          recipients: { type: 'entity', entityRef: request.requestedBy },
          payload: {
            title: `Change request "${request.title}" ${step.title}`,
            description: request.reason ?? request.events[request.events.length - 1]?.message,
            link: options.changePath(request.id),
            severity: step.severity,
            topic: `gitops-change:${request.id}`,
            scope: request.id,
          },
        })
        .catch(error => logger.warn(`Notifying ${request.requestedBy} about ${request.id} failed: ${error}`));
    },
  };
}
