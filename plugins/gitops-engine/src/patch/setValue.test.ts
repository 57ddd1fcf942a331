import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors';
import { removeValue } from './removeValue';
import { setValue } from './setValue';

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');
const deployment = fixture('shop-deployment.yaml');
const shop = { kind: 'Deployment', name: 'shop' };
const web = 'spec.template.spec.containers[name=web]';

/** `text` with exactly one occurrence of `from` replaced: the whole expected file after an edit. */
function replaced(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
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

describe('setValue', () => {
  describe('changes only the edited value in a commented multi-document file', () => {
    it.each<[string, string, unknown, string, string]>([
      [
        'an image in single quotes, keeping quotes and comment',
        `${web}.image`,
        'ghcr.io/acme/shop:1.5.0',
        "image: 'ghcr.io/acme/shop:1.4.2'  # bumped",
        "image: 'ghcr.io/acme/shop:1.5.0'  # bumped",
      ],
      [
        'replicas, keeping the trailing comment',
        'spec.replicas',
        5,
        'replicas: 3 # autoscaled',
        'replicas: 5 # autoscaled',
      ],
      [
        'a quoted label by bracketed key',
        'metadata.labels["app.kubernetes.io/version"]',
        '1.5.0',
        'app.kubernetes.io/version: "1.4.2"',
        'app.kubernetes.io/version: "1.5.0"',
      ],
      [
        'an env var found by name',
        `${web}.env[name=LOG_LEVEL].value`,
        'debug',
        'value: info',
        'value: debug',
      ],
      [
        'a value inside a flow mapping',
        `${web}.resources.limits.cpu`,
        '750m',
        '{cpu: 500m, memory',
        '{cpu: 750m, memory',
      ],
      [
        'a number that must stay a string in a flow mapping',
        `${web}.resources.limits.cpu`,
        '1',
        '{cpu: 500m,',
        '{cpu: "1",',
      ],
      [
        'a string that YAML 1.1 would read as a boolean',
        'metadata.labels["app.kubernetes.io/name"]',
        'yes',
        'app.kubernetes.io/name: shop   # selector',
        'app.kubernetes.io/name: "yes"   # selector',
      ],
      [
        'a port by its number',
        `${web}.ports[containerPort=8080].protocol`,
        'UDP',
        'protocol: TCP',
        'protocol: UDP',
      ],
      [
        'a list item by index',
        'spec.template.spec.containers[1].image',
        'ghcr.io/acme/proxy:2.1.0',
        'proxy:2.0.0',
        'proxy:2.1.0',
      ],
    ])('%s', (_name, target, value, from, to) => {
      const after = setValue(deployment, shop, target, value as string, {
        file: 'shop.yaml',
      });
      expect(after).toBe(replaced(deployment, from, to));
    });

    it('edits the second document, selected by kind and name', () => {
      const after = setValue(
        deployment,
        { kind: 'Service', name: 'shop', namespace: 'shop' },
        'spec.ports[port=80].targetPort',
        9090,
      );
      expect(after).toBe(
        replaced(
          deployment,
          'targetPort: 8080 # web',
          'targetPort: 9090 # web',
        ),
      );
    });

    it('leaves the file untouched when the value is already set', () => {
      expect(setValue(deployment, shop, 'spec.replicas', 3)).toBe(deployment);
    });
  });

  describe('inserts what is missing with the surrounding indentation', () => {
    it('a new label after the last one', () => {
      const after = setValue(
        deployment,
        shop,
        'metadata.labels.team',
        'storefront',
      );
      expect(after).toBe(
        replaced(deployment, '"1.4.2"\n', '"1.4.2"\n    team: storefront\n'),
      );
    });

    it('a new env var appended to an indented list', () => {
      const after = setValue(
        deployment,
        shop,
        `${web}.env[name=CACHE_TTL].value`,
        '30',
      );
      expect(after).toBe(
        replaced(
          deployment,
          'value: "checkout,search"\n',
          'value: "checkout,search"\n          - name: CACHE_TTL\n            value: "30"\n',
        ),
      );
    });

    it('a whole env list in a container that has none, in the file’s list style', () => {
      const after = setValue(
        deployment,
        shop,
        'spec.template.spec.containers[name=sidecar].env[name=MODE].value',
        'proxy',
      );
      expect(after).toBe(
        replaced(
          deployment,
          'proxy:2.0.0\n',
          'proxy:2.0.0\n        env:\n        - name: MODE\n          value: proxy\n',
        ),
      );
    });

    it('a key in a flow mapping', () => {
      const after = setValue(
        deployment,
        shop,
        'metadata.annotations["example.com/on-call"]',
        'team-a',
      );
      expect(after).toBe(
        replaced(
          deployment,
          'tier: web}',
          'tier: web, example.com/on-call: team-a}',
        ),
      );
    });

    it('a new list item with several fields', () => {
      const after = setValue(
        deployment,
        shop,
        `${web}.ports[containerPort=9090]`,
        { name: 'metrics', protocol: 'TCP' },
      );
      expect(after).toBe(
        replaced(
          deployment,
          '          protocol: TCP\n',
          '          protocol: TCP\n        - containerPort: 9090\n          name: metrics\n          protocol: TCP\n',
        ),
      );
    });

    it('a nested mapping under an empty key', () => {
      const text =
        'metadata:\n  name: a\n  labels:\n  annotations: ~ # none yet\nspec: {}\n';
      expect(setValue(text, 0, 'metadata.labels.app', 'shop')).toBe(
        'metadata:\n  name: a\n  labels:\n    app: shop\n  annotations: ~ # none yet\nspec: {}\n',
      );
      expect(setValue(text, 0, 'metadata.annotations.team', 'a')).toBe(
        'metadata:\n  name: a\n  labels:\n  annotations: # none yet\n    team: a\nspec: {}\n',
      );
    });
  });

  describe('keeps the file’s own conventions', () => {
    it.each<[string, string, string, unknown, string]>([
      [
        'CRLF line endings on replace',
        'a: 1\r\nb:\r\n  c: old\r\n',
        'b.c',
        'new',
        'a: 1\r\nb:\r\n  c: new\r\n',
      ],
      [
        'CRLF line endings on insert',
        'a: 1\r\nb:\r\n  c: 2\r\n',
        'b.d',
        'x',
        'a: 1\r\nb:\r\n  c: 2\r\n  d: x\r\n',
      ],
      [
        'no newline at the end of the file',
        'a: 1\nb:\n  c: 2',
        'b.d',
        'x',
        'a: 1\nb:\n  c: 2\n  d: x',
      ],
      [
        'four-space indentation',
        'a:\n    b:\n        c: 1\n',
        'a.b.d.e',
        true,
        'a:\n    b:\n        c: 1\n        d:\n            e: true\n',
      ],
      [
        'JSON stays JSON',
        '{\n  "a": 1,\n  "b": {"c": "x"}\n}\n',
        'b.d',
        'y',
        '{\n  "a": 1,\n  "b": {"c": "x", "d": "y"}\n}\n',
      ],
      [
        'pretty JSON gets a new line',
        '{\n  "a": 1,\n  "b": "x"\n}\n',
        'c',
        2,
        '{\n  "a": 1,\n  "b": "x",\n  "c": 2\n}\n',
      ],
      [
        'a block scalar is rewritten as a block scalar',
        'script: |\n  echo one\nnext: 1\n',
        'script',
        'echo two\n',
        'script: |\n  echo two\nnext: 1\n',
      ],
      [
        'anchors elsewhere survive',
        'base: &b {x: 1}\nuse: *b\nother: old\n',
        'other',
        'new',
        'base: &b {x: 1}\nuse: *b\nother: new\n',
      ],
      [
        'a value that needs double quotes',
        'a: plain\n',
        'a',
        'has: colon',
        'a: "has: colon"\n',
      ],
      [
        'an octal-looking string',
        'mode: x\n',
        'mode',
        '0644',
        'mode: "0644"\n',
      ],
      [
        'a date-looking string',
        'tag: x\n',
        'tag',
        '2024-01-01',
        'tag: "2024-01-01"\n',
      ],
      [
        'a single-quoted value with a quote',
        "a: 'x'\n",
        'a',
        "it's",
        "a: 'it''s'\n",
      ],
      ['null', 'a: 1\n', 'a', null, 'a: null\n'],
    ])('%s', (_name, text, target, value, expected) => {
      expect(setValue(text, 0, target, value as string)).toBe(expected);
    });

    it('edits only the chosen document among separators and comments', () => {
      const text = '# first\n---\na: 1\n---\n# second\na: 1\n...\n---\na: 1\n';
      expect(setValue(text, 1, 'a', 2)).toBe(
        '# first\n---\na: 1\n---\n# second\na: 2\n...\n---\na: 1\n',
      );
    });
  });

  describe('refuses edits it cannot make safely', () => {
    it.each<
      [
        string,
        string,
        Parameters<typeof setValue>[1],
        string,
        unknown,
        string,
        RegExp,
      ]
    >([
      [
        'a missing document',
        deployment,
        { kind: 'Deployment', name: 'cart' },
        'spec.replicas',
        1,
        'PATCH_TARGET_NOT_FOUND',
        /no document declares Deployment cart/,
      ],
      [
        'a document index out of range',
        'a: 1\n',
        3,
        'a',
        1,
        'PATCH_TARGET_NOT_FOUND',
        /no document 3; the file has 1/,
      ],
      [
        'an ambiguous document',
        'kind: A\nmetadata: {name: x, namespace: p}\n---\nkind: A\nmetadata: {name: x, namespace: q}\n',
        { kind: 'A', name: 'x' },
        'a',
        1,
        'PATCH_INVALID',
        /2 documents declare A x/,
      ],
      [
        'a path through a scalar',
        deployment,
        shop,
        'spec.replicas.value',
        1,
        'PATCH_INVALID',
        /spec.replicas is a scalar/,
      ],
      [
        'a path through an alias',
        'base: &b {x: 1}\nuse: *b\n',
        0,
        'use.x',
        2,
        'PATCH_INVALID',
        /use is an alias \(\*b\)/,
      ],
      [
        'replacing an alias',
        'base: &b 1\nuse: *b\n',
        0,
        'use',
        2,
        'PATCH_INVALID',
        /use is an alias/,
      ],
      [
        'replacing a mapping with a scalar',
        deployment,
        shop,
        'metadata.labels',
        'x',
        'PATCH_INVALID',
        /metadata.labels is a mapping/,
      ],
      [
        'a key on a list',
        deployment,
        shop,
        'spec.template.spec.containers.name',
        'x',
        'PATCH_INVALID',
        /is not a mapping/,
      ],
      [
        'a list index that does not exist',
        deployment,
        shop,
        'spec.template.spec.containers[5].image',
        'x',
        'PATCH_TARGET_NOT_FOUND',
        /has 2 items, no index 5/,
      ],
      [
        'a key reached only through a merge',
        'base: &b {x: {y: 1}}\nuse:\n  <<: *b\n',
        0,
        'use.x.y',
        2,
        'PATCH_INVALID',
        /merge key/,
      ],
      [
        'an invalid path',
        deployment,
        shop,
        'spec..replicas',
        1,
        'PATCH_INVALID',
        /empty key/,
      ],
      ['a YAML syntax error', 'a: [1,\n', 0, 'a', 1, 'YAML_SYNTAX', /line/],
      [
        'duplicate keys',
        'a: 1\na: 2\n',
        0,
        'a',
        1,
        'YAML_DUPLICATE_KEY',
        /line 2/,
      ],
    ])('%s', (_name, text, target, targetPath, value, code, message) => {
      const error = thrown(() =>
        setValue(text, target, targetPath, value as string, { file: 'f.yaml' }),
      );
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.location.file).toBe('f.yaml');
    });

    it('refuses to create when told not to', () => {
      const error = thrown(() =>
        setValue(deployment, shop, `${web}.env[name=NEW].value`, 'x', {
          create: false,
        }),
      );
      expect(error.code).toBe('PATCH_TARGET_NOT_FOUND');
      expect(error.message).toContain('env[name=NEW] does not exist');
      expect(error.location).toMatchObject({ document: 0, line: 29 });
    });
  });
});

describe('removeValue', () => {
  it.each<[string, string, string, string]>([
    [
      'an env var, keeping the rest of the list',
      `${web}.env[name=LOG_LEVEL]`,
      '          - name: LOG_LEVEL\n            value: info\n',
      '',
    ],
    [
      'a label with its trailing comment',
      'metadata.labels["app.kubernetes.io/name"]',
      '    app.kubernetes.io/name: shop   # selector label, never change\n',
      '',
    ],
    [
      'a whole container',
      'spec.template.spec.containers[name=sidecar]',
      '      - name: sidecar\n        image: ghcr.io/acme/proxy:2.0.0\n',
      '',
    ],
    [
      'the first key of a list item, pulling the next one up',
      'spec.template.spec.containers[name=sidecar].name',
      '- name: sidecar\n        image:',
      '- image:',
    ],
    [
      'a key from a flow mapping',
      'metadata.annotations.tier',
      '{owner: storefront, tier: web}',
      '{owner: storefront}',
    ],
    [
      'the first key of a flow mapping',
      'metadata.annotations.owner',
      '{owner: storefront, tier: web}',
      '{tier: web}',
    ],
    [
      'the only key, leaving an empty mapping',
      'spec.selector.matchLabels["app.kubernetes.io/name"]',
      'matchLabels:\n      app.kubernetes.io/name: shop\n',
      'matchLabels: {}\n',
    ],
  ])('%s', (_name, target, from, to) => {
    expect(removeValue(deployment, shop, target)).toBe(
      replaced(deployment, from, to),
    );
  });

  it('keeps the comment above a removed key', () => {
    const text = 'a: 1\n# why b is set\nb: 2\nc: 3\n';
    expect(removeValue(text, 0, 'b')).toBe('a: 1\n# why b is set\nc: 3\n');
  });

  it('keeps CRLF line endings', () => {
    expect(removeValue('a: 1\r\nb: 2\r\nc: 3\r\n', 0, 'b')).toBe(
      'a: 1\r\nc: 3\r\n',
    );
  });

  it.each([
    ['a missing key', 'metadata.labels.nope', 'PATCH_TARGET_NOT_FOUND'],
    ['a missing list item', `${web}.env[name=NOPE]`, 'PATCH_TARGET_NOT_FOUND'],
    ['a path through a scalar', 'spec.replicas.x', 'PATCH_INVALID'],
  ])('refuses %s', (_name, target, code) => {
    expect(
      thrown(() =>
        removeValue(deployment, shop, target, { file: 'shop.yaml' }),
      ),
    ).toMatchObject({ code, location: { file: 'shop.yaml' } });
  });
});
