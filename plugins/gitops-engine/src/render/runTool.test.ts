import os from 'node:os';
import { EngineError } from '../errors';
import { runTool } from './runTool';

const options = {
  cwd: os.tmpdir(),
  timeoutMs: 10_000,
  maxOutputBytes: 1024 * 1024,
  env: process.env,
  installHint: 'install it',
};

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}

describe('runTool', () => {
  it('passes arguments without a shell', async () => {
    await expect(
      runTool(
        'echo',
        [{ command: 'echo', args: ['$(whoami); rm -rf /', '*'] }],
        options,
      ),
    ).resolves.toBe('$(whoami); rm -rf / *\n');
  });

  it('falls back to the next invocation when a binary is missing', async () => {
    await expect(
      runTool(
        'echo',
        [
          { command: 'gitops-no-such-binary', args: [] },
          { command: 'echo', args: ['second'] },
        ],
        options,
      ),
    ).resolves.toBe('second\n');
  });

  it('says which binaries it tried when none exists', async () => {
    const error = await rejection(
      runTool(
        'kustomize',
        [{ command: 'gitops-no-such-binary', args: [] }],
        options,
      ),
    );
    expect(error.code).toBe('RENDER_TOOL_MISSING');
    expect(error.message).toBe(
      'kustomize is not installed: none of gitops-no-such-binary could be run; install it',
    );
  });

  it('stops a tool that runs too long', async () => {
    const error = await rejection(
      runTool('sleep', [{ command: 'sleep', args: ['10'] }], {
        ...options,
        timeoutMs: 200,
      }),
    );
    expect(error).toMatchObject({
      code: 'RENDER_FAILED',
      message: 'sleep 10 did not finish within 200 ms',
    });
  }, 10_000);

  it('stops a tool that prints too much', async () => {
    const error = await rejection(
      runTool('yes', [{ command: 'yes', args: [] }], {
        ...options,
        maxOutputBytes: 10_000,
      }),
    );
    expect(error).toMatchObject({
      code: 'RENDER_FAILED',
      message: 'yes printed more than 10000 bytes',
    });
  }, 10_000);

  it('reports a failing tool with its stderr', async () => {
    const error = await rejection(
      runTool(
        'ls',
        [{ command: 'ls', args: ['/gitops-no-such-dir'] }],
        options,
      ),
    );
    expect(error.code).toBe('RENDER_FAILED');
    expect(error.message).toMatch(
      /^ls failed \(ls \/gitops-no-such-dir\): .*No such file/,
    );
  });
});
