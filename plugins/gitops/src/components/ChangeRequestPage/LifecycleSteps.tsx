import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import {
  FINAL_CHANGE_REQUEST_STATES,
  type ChangeRequest,
  type ChangeRequestState,
} from '@backstage-gitops/plugin-gitops-common';
import { Flex, Text } from '@backstage/ui';
import type { ComponentType, PropsWithChildren } from 'react';
import { CHANGE_REQUEST_STATE_LABELS } from '../ChangeRequestState';
import { RelativeTime } from '../format/RelativeTime';

/** The way a change request goes when all is well. */
export const HAPPY_PATH: readonly ChangeRequestState[] = [
  'draft',
  'checked',
  'pr-open',
  'merged',
  'synced',
  'healthy',
];

type StepStatus = 'done' | 'current' | 'waiting' | 'failed' | 'stopped';

const INDICATORS: Record<StepStatus, ComponentType<PropsWithChildren<{}>>> = {
  done: StatusOK,
  current: StatusRunning,
  waiting: StatusPending,
  failed: StatusError,
  stopped: StatusAborted,
};

export interface LifecycleStep {
  state: ChangeRequestState;
  status: StepStatus;
  /** When the request last entered this state, from its events. */
  at?: string;
  message?: string;
}

/**
 * The steps to show: the happy path up to where the request is; for one that ended early, the steps it
 * reached and then its end state (`rejected`, `closed`, `failed`) instead of steps it will never reach.
 */
export function lifecycleSteps(request: ChangeRequest): LifecycleStep[] {
  const lastEvent = (state: ChangeRequestState) =>
    [...request.events].reverse().find(event => event.state === state);
  const isFinal = FINAL_CHANGE_REQUEST_STATES.includes(request.state);
  const happyIndex = HAPPY_PATH.indexOf(request.state);

  if (happyIndex >= 0) {
    return HAPPY_PATH.map((state, index) => {
      let status: StepStatus = 'waiting';
      if (index < happyIndex || (index === happyIndex && isFinal)) {
        status = 'done';
      } else if (index === happyIndex) {
        status = 'current';
      }
      return { state, status, at: lastEvent(state)?.at };
    });
  }

  const reached = HAPPY_PATH.filter(state => lastEvent(state));
  const end = lastEvent(request.state);
  return [
    ...reached.map(state => ({
      state,
      status: 'done' as const,
      at: lastEvent(state)?.at,
    })),
    {
      state: request.state,
      status: request.state === 'closed' ? 'stopped' : 'failed',
      at: end?.at ?? request.updatedAt,
      message: request.reason ?? end?.message,
    },
  ];
}

/** The lifecycle as a stepper, each reached step with when it was reached. */
export function LifecycleSteps(props: { request: ChangeRequest; now: number }) {
  const steps = lifecycleSteps(props.request);
  return (
    <ol
      aria-label="Lifecycle"
      style={{
        listStyle: 'none',
        margin: 0,
        padding: 0,
        display: 'flex',
        flexWrap: 'wrap',
        gap: 'var(--bui-space-6)',
      }}
    >
      {steps.map(step => {
        const Indicator = INDICATORS[step.status];
        return (
          <li
            key={step.state}
            aria-current={step.status === 'current' ? 'step' : undefined}
            data-status={step.status}
          >
            <Flex direction="column" gap="1">
              <Indicator>{CHANGE_REQUEST_STATE_LABELS[step.state]}</Indicator>
              <Text variant="body-small" color="secondary">
                {step.at ? (
                  <RelativeTime at={step.at} now={props.now} />
                ) : (
                  'not yet'
                )}
              </Text>
              {step.message && (
                <Text variant="body-small" color="danger">
                  {step.message}
                </Text>
              )}
            </Flex>
          </li>
        );
      })}
    </ol>
  );
}
