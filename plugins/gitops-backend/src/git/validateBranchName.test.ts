import { execFileSync } from 'node:child_process';
import { validateBranchName } from './validateBranchName';

/** What git itself says, so the table cannot drift from the real rules. */
function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
    });
    return true;
  } catch {
    return false;
  }
}

describe('validateBranchName', () => {
  it.each([
    ['main'],
    ['feature/shop-api-1.4.2'],
    ['release/2024.01'],
    ['gitops/change/42'],
    ['user@host'],
    ['a.b'],
  ])('accepts %j', name => {
    expect(validateBranchName(name)).toBeUndefined();
    expect(gitAccepts(name)).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['a..b', /"\.\."/],
    ['..', /"\.\."/],
    ['a~1', /"~"/],
    ['a^2', /"\^"/],
    ['a:b', /":"/],
    ['has space', /spaces/],
    ['tab\there', /control characters/],
    ['-rf', /start with "-"/],
    ['--upload-pack=evil', /start with "-"/],
    ['main@{1}', /"@\{"/],
    ['topic.lock', /\.lock/],
    ['refs/topic.lock/x', /\.lock/],
    ['what?', /"\?"/],
    ['star*', /"\*"/],
    ['open[', /"\["/],
    ['back\\slash', /"\\"/],
    ['/leading', /"\/"/],
    ['trailing/', /"\/"/],
    ['double//slash', /"\/\/"/],
    ['.hidden', /start with "\."/],
    ['dir/.hidden', /start with "\."/],
    ['ends.', /end with "\."/],
    ['HEAD', /reserved/],
  ])('refuses %j, as git does', (name, reason) => {
    expect(validateBranchName(name)).toMatch(reason);
    expect(gitAccepts(name)).toBe(false);
  });

  // git reads `@` as HEAD, and has no length limit; ours keeps a name within one path component.
  it.each([
    ['@', /reserved/],
    ['a'.repeat(300), /longer than/],
  ])('refuses %j, which git would take', (name, reason) => {
    expect(validateBranchName(name)).toMatch(reason);
  });
});
