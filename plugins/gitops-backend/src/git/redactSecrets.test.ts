import { redactSecrets } from './redactSecrets';

describe('redactSecrets', () => {
  it('removes every given secret, passwords in URLs and authorization values', () => {
    expect(
      redactSecrets(
        [
          'fatal: remote error: token ghp_abcdef123 rejected',
          "fatal: unable to access 'https://x:pw@example.com/r/'",
          '> Authorization: Basic eC1hY2Nlc3M=',
        ].join('\n'),
        ['ghp_abcdef123', 'eC1hY2Nlc3M='],
      ),
    ).toBe(
      [
        'fatal: remote error: token *** rejected',
        "fatal: unable to access 'https://***@example.com/r/'",
        '> Authorization: Basic ***',
      ].join('\n'),
    );
  });

  it('leaves text without secrets alone and ignores tiny secrets', () => {
    expect(redactSecrets('fatal: repository not found', ['a', ''])).toBe(
      'fatal: repository not found',
    );
  });
});
