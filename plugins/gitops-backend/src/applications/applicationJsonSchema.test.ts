import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { applicationJsonSchema } from './applicationJsonSchema';

const SCHEMA_FILE = resolve(
  __dirname,
  '../../../../docs/application.schema.json',
);

describe('applicationJsonSchema', () => {
  it('matches the committed docs/application.schema.json (UPDATE_SCHEMA=1 rewrites it)', async () => {
    const generated = applicationJsonSchema();
    if (process.env.UPDATE_SCHEMA === '1') {
      await fs.writeFile(
        SCHEMA_FILE,
        `${JSON.stringify(generated, null, 2)}\n`,
      );
    }
    // Compared as data, so formatting the file with prettier keeps it up to date.
    expect(JSON.parse(await fs.readFile(SCHEMA_FILE, 'utf8'))).toEqual(
      generated,
    );
  });

  it('describes the document authors write, with its defaults', () => {
    const schema = applicationJsonSchema() as any;
    expect(schema.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(schema.properties.kind.const).toBe('Application');
    expect(schema.properties.spec.required).toEqual([
      'entityRef',
      'environment',
      'source',
      'destination',
    ]);
    expect(
      schema.properties.spec.properties.source.properties.renderer.default,
    ).toBe('auto');
    expect(
      schema.properties.spec.properties.syncPolicy.properties.prune.default,
    ).toBe(false);
  });
});
