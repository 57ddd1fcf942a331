import { formatApplicationError } from './formatApplicationError';

describe('formatApplicationError', () => {
  it.each([
    [
      {
        file: 'applications/a.yaml',
        document: 1,
        line: 9,
        column: 5,
        message: 'spec.source.path: bad',
      },
      'applications/a.yaml, document 1, line 9:5: spec.source.path: bad',
    ],
    [
      { file: 'applications/a.yaml', document: 0, line: 3, message: 'x' },
      'applications/a.yaml, document 0, line 3: x',
    ],
    [
      { file: 'applications/huge.yaml', message: 'too large' },
      'applications/huge.yaml: too large',
    ],
  ])('formats %j', (error, expected) => {
    expect(formatApplicationError(error)).toBe(expected);
  });
});
