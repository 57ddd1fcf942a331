import { JsonLineDecoder } from './JsonLineDecoder';

describe('JsonLineDecoder', () => {
  it.each<[string, string[], unknown[]]>([
    ['one event per chunk', ['{"a":1}\n', '{"b":2}\n'], [{ a: 1 }, { b: 2 }]],
    [
      'an event split across chunks',
      ['{"type":"ADD', 'ED","n":', '1}\n'],
      [{ type: 'ADDED', n: 1 }],
    ],
    [
      'several events in one chunk',
      ['{"a":1}\n{"a":2}\n{"a":3}\n'],
      [{ a: 1 }, { a: 2 }, { a: 3 }],
    ],
    ['blank lines and CRLF', ['\n{"a":1}\r\n\n'], [{ a: 1 }]],
    [
      'a multi-byte character split by the network',
      ['{"s":"caf', 'é"}\n'],
      [{ s: 'café' }],
    ],
  ])('decodes %s', (_case, chunks, expected) => {
    const decoder = new JsonLineDecoder();
    const documents = chunks.flatMap(chunk => decoder.push(chunk));
    expect([...documents, ...decoder.end()]).toEqual(expected);
  });

  it('returns the last document when the stream ends without a newline', () => {
    const decoder = new JsonLineDecoder();
    expect(decoder.push('{"a":1}\n{"a":2}')).toEqual([{ a: 1 }]);
    expect(decoder.end()).toEqual([{ a: 2 }]);
  });

  it('refuses a line longer than its bound instead of buffering it', () => {
    const decoder = new JsonLineDecoder(16);
    expect(() => decoder.push('{"a":"0123456789abcdef"')).toThrow(
      /larger than 16 bytes/,
    );
  });

  it('throws on a line that is not JSON', () => {
    expect(() => new JsonLineDecoder().push('not json\n')).toThrow(SyntaxError);
  });
});
