import { createGithubChangeEventHandler } from './handleGithubChangeEvents';

const BRANCH = 'gitops/cr-0123456789abcdef0123';

describe('createGithubChangeEventHandler', () => {
  it.each([
    ['pull_request', { action: 'closed', pull_request: { merged: true, head: { ref: BRANCH } } }],
    ['pull_request_review', { action: 'submitted', pull_request: { head: { ref: BRANCH } } }],
    ['check_suite', { check_suite: { head_branch: BRANCH } }],
    ['check_run', { check_run: { check_suite: { head_branch: BRANCH } } }],
    ['status', { branches: [{ name: 'main' }, { name: BRANCH }] }],
  ])('tracks change requests on a %s event for a change branch', async (event, payload) => {
    const track = jest.fn();
    await createGithubChangeEventHandler({ track })({
      topic: 'github',
      eventPayload: payload,
      metadata: { 'x-github-event': event },
    });
    expect(track).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a pull request from another branch', 'pull_request', { pull_request: { head: { ref: 'feature/x' } } }],
    ['a branch that only looks like ours', 'pull_request', { pull_request: { head: { ref: 'gitops/cr-../../x' } } }],
    ['an unrelated event', 'issues', { pull_request: { head: { ref: BRANCH } } }],
    ['a payload without a branch', 'pull_request', {}],
  ])('ignores %s', async (_what, event, payload) => {
    const track = jest.fn();
    await createGithubChangeEventHandler({ track })({
      topic: 'github',
      eventPayload: payload,
      metadata: { 'x-github-event': event },
    });
    expect(track).not.toHaveBeenCalled();
  });
});
