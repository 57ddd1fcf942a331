import { EngineError } from '../errors';
import { parseManifests } from './parseManifests';
import { parseYaml } from './parseYaml';
import { sourceOf } from './sourceOf';

function configMap(data: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n${data}`;
}

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError, nothing was thrown');
}

describe('parseManifests', () => {
  describe('reads scalars as Kubernetes does (YAML 1.1)', () => {
    it.each([
      ['octal file mode', '0644', 420],
      ['yes', 'yes', true],
      ['no', 'no', false],
      ['on', 'on', true],
      ['off', 'Off', false],
      ['y', 'y', true],
      ['hex', '0x1F', 31],
      ['underscores', '1_000', 1000],
      ['tilde', '~', null],
      ['float', '1.5', 1.5],
      ['quoted number stays a string', '"0644"', '0644'],
      ['a date stays a string', '2024-01-01', '2024-01-01'],
      ['a sexagesimal-looking port stays a string', '22:22', '22:22'],
      ['binary tag keeps its text', '!!binary aGVsbG8=', 'aGVsbG8='],
    ])('%s: %s', (_name, source, expected) => {
      const [object] = parseManifests(configMap(`  value: ${source}\n`));
      expect((object.data as Record<string, unknown>).value).toEqual(expected);
    });
  });

  it('keeps integers beyond 2^53 as exact decimal strings and says so', () => {
    const warnings: string[] = [];
    const [object] = parseManifests(
      configMap('  big: 123456789012345678901\n  safe: 9007199254740991\n'),
      {
        file: 'big.yaml',
        onWarning: (message, location) =>
          warnings.push(`${location.file}:${location.line}: ${message}`),
      },
    );
    expect(object.data).toEqual({
      big: '123456789012345678901',
      safe: 9007199254740991,
    });
    expect(warnings).toEqual([
      'big.yaml:6: integer 123456789012345678901 is beyond 2^53 and is kept as a string',
    ]);
  });

  it('skips empty documents and separators, and records each object’s file, document and line', () => {
    const text = [
      '# leading comment',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      '---',
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: b',
      '...',
      '',
    ].join('\n');
    const objects = parseManifests(text, { file: 'app.yaml' });
    expect(objects.map(o => o.metadata.name)).toEqual(['a', 'b']);
    expect(objects.map(o => sourceOf(o))).toEqual([
      { file: 'app.yaml', document: 0, line: 3, column: 1 },
      { file: 'app.yaml', document: 3, line: 10, column: 1 },
    ]);
  });

  it('keeps source locations out of the objects themselves', () => {
    const [object] = parseManifests(configMap('  a: b\n'), { file: 'x.yaml' });
    expect(Object.keys(object)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'data',
    ]);
    expect(JSON.parse(JSON.stringify(object))).toEqual(object);
  });

  it('reads JSON, including pretty-printed JSON from kubectl', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { ports: [{ port: 80 }] },
      },
      null,
      4,
    );
    const [object] = parseManifests(json, { file: 'svc.json' });
    expect(object.spec).toEqual({ ports: [{ port: 80 }] });
    expect(sourceOf(object)).toMatchObject({
      file: 'svc.json',
      document: 0,
      line: 1,
    });
  });

  it('expands kind: List items, each located at its own line', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: ConfigMap',
      '  metadata: {name: one}',
      '- apiVersion: apps/v1',
      '  kind: Deployment',
      '  metadata: {name: two}',
      '',
    ].join('\n');
    const objects = parseManifests(text, { file: 'list.yaml' });
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/one',
      'Deployment/two',
    ]);
    expect(objects.map(o => sourceOf(o)?.line)).toEqual([4, 7]);
  });

  it('validates List items, naming the item’s line', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n';
    const error = thrown(() => parseManifests(text, { file: 'list.yaml' }));
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.location).toMatchObject({
      file: 'list.yaml',
      document: 0,
      line: 6,
    });
  });

  describe('refuses malformed and hostile input with a typed error naming where', () => {
    const laughs = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    const deepBlock = Array.from(
      { length: 80 },
      (_, depth) => `${' '.repeat(depth * 2)}k${depth}:`,
    ).join('\n');

    it.each<
      [
        string,
        string,
        string,
        { document?: number; line?: number; column?: number },
      ]
    >([
      [
        'a syntax error',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n',
        'YAML_SYNTAX',
        { document: 0, line: 4, column: 1 },
      ],
      [
        'an unterminated string in the second document',
        'a: 1\n---\nb: "unterminated\n',
        'YAML_SYNTAX',
        { document: 1, line: 4 },
      ],
      [
        'tabs as indentation',
        'a:\n\tb: 1\n',
        'YAML_SYNTAX',
        { document: 0, line: 2 },
      ],
      [
        'a duplicate key',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
        'YAML_DUPLICATE_KEY',
        { document: 0, line: 5, column: 3 },
      ],
      [
        'a duplicate key in JSON',
        '{"a": 1, "a": 2}',
        'YAML_DUPLICATE_KEY',
        { document: 0, line: 1, column: 10 },
      ],
      [
        'a collection as a mapping key',
        'data:\n  ? [a, b]\n  : c\n',
        'YAML_SYNTAX',
        { document: 0, line: 2, column: 5 },
      ],
      [
        'an alias bomb (billion laughs)',
        laughs,
        'YAML_ALIAS_LIMIT',
        { document: 0, line: 1 },
      ],
      [
        'a million nested flow sequences',
        '['.repeat(1_000_000),
        'YAML_TOO_DEEP',
        { document: 0, line: 1, column: 65 },
      ],
      [
        'deeply nested block mappings',
        deepBlock,
        'YAML_TOO_DEEP',
        { document: 0, line: 65 },
      ],
    ])(
      '%s',
      (_name, text, code, where) => {
        const error = thrown(() => parseManifests(text, { file: 'bad.yaml' }));
        expect(error.code).toBe(code);
        expect(error.location).toMatchObject({ file: 'bad.yaml', ...where });
        expect(error.message).toContain('bad.yaml');
      },
      10_000,
    );

    it('refuses a document larger than the byte limit before parsing it', () => {
      const error = thrown(() =>
        parseManifests(configMap(`  blob: ${'x'.repeat(2048)}\n`), {
          file: 'huge.yaml',
          maxBytes: 1024,
        }),
      );
      expect(error.code).toBe('YAML_TOO_LARGE');
      expect(error.location.file).toBe('huge.yaml');
    });

    it('refuses 9 MiB with the default limit', () => {
      const error = thrown(() =>
        parseManifests(`a: "${'x'.repeat(9 * 1024 * 1024)}"\n`, {
          file: 'huge.yaml',
        }),
      );
      expect(error.code).toBe('YAML_TOO_LARGE');
    }, 10_000);

    it('refuses more documents than allowed', () => {
      const error = thrown(() =>
        parseYaml('a: 1\n---\na: 2\n---\na: 3\n', {
          file: 'many.yaml',
          maxDocuments: 2,
        }),
      );
      expect(error.code).toBe('YAML_TOO_LARGE');
    });

    it('honours a lower alias limit', () => {
      const text = 'base: &b {x: 1}\none: *b\ntwo: *b\nthree: *b\n';
      expect(parseYaml(text)[0].value).toMatchObject({ three: { x: 1 } });
      expect(thrown(() => parseYaml(text, { maxAliasCount: 2 })).code).toBe(
        'YAML_ALIAS_LIMIT',
      );
    });

    it.each([
      ['no kind', 'apiVersion: v1\nmetadata: {name: a}\n', /no kind/, 1],
      [
        'no name',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n',
        /no metadata.name/,
        3,
      ],
      ['a scalar document', 'just a string\n', /must be a mapping/, 1],
    ])('a manifest with %s', (_name, text, message, line) => {
      const error = thrown(() => parseManifests(text, { file: 'm.yaml' }));
      expect(error.code).toBe('MANIFEST_INVALID');
      expect(error.message).toMatch(message);
      expect(error.location).toMatchObject({
        file: 'm.yaml',
        document: 0,
        line,
      });
    });
  });

  it('reads merge keys as Kubernetes does', () => {
    const text =
      'base: &base {cpu: 100m, memory: 64Mi}\nlimits:\n  <<: *base\n  cpu: 200m\n';
    expect(parseYaml(text)[0].value).toEqual({
      base: { cpu: '100m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '64Mi' },
    });
  });

  it('skips validation when asked, still refusing non-mappings', () => {
    expect(parseManifests('a: 1\n', { validate: false })).toEqual([{ a: 1 }]);
    expect(
      thrown(() => parseManifests('- 1\n', { validate: false })).code,
    ).toBe('MANIFEST_INVALID');
  });
});
