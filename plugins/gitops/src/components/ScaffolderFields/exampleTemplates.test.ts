import { createAsyncValidators } from '@backstage/plugin-scaffolder-react/alpha';
import type { JsonObject } from '@backstage/types';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { gitopsApiRef } from '../../api/GitOpsApi';
import { mockGitOpsApi } from '../../__testUtils__/mockGitOpsApi';
import { validateGitOpsApplication } from './validateGitOpsApplication';
import { validateGitOpsEnvironment } from './validateGitOpsEnvironment';

const TEMPLATES = path.resolve(__dirname, '../../../../../examples/templates');
const FIELDS = {
  GitOpsApplicationPicker: validateGitOpsApplication,
  GitOpsEnvironmentPicker: validateGitOpsEnvironment,
} as Record<string, any>;
const UI_OPTIONS: Record<string, string[]> = {
  GitOpsApplicationPicker: ['entityRefField'],
  GitOpsEnvironmentPicker: [],
};

function template(file: string) {
  return yaml.parse(fs.readFileSync(path.join(TEMPLATES, file), 'utf8'));
}

/** Every property of a form page that uses a `ui:field`, also inside array items and dependencies. */
function fieldsOf(node: unknown, at = ''): Array<{ at: string; schema: any }> {
  if (!node || typeof node !== 'object') return [];
  const found: Array<{ at: string; schema: any }> = [];
  const schema = node as any;
  if (typeof schema['ui:field'] === 'string') found.push({ at, schema });
  for (const [key, value] of Object.entries(schema.properties ?? {})) {
    found.push(...fieldsOf(value, `${at}/${key}`));
  }
  if (schema.items) found.push(...fieldsOf(schema.items, `${at}[]`));
  for (const value of Object.values(schema.dependencies ?? {})) {
    for (const option of (value as any).oneOf ?? []) {
      found.push(...fieldsOf(option, at));
    }
  }
  return found;
}

/** Runs the scaffolder's own validation of custom fields on one form page, with a fake GitOps API. */
async function validatePage(page: JsonObject, formData: JsonObject) {
  const api = mockGitOpsApi();
  const validate = createAsyncValidators(page, FIELDS, {
    apiHolder: {
      get: (ref: { id: string }) =>
        ref.id === gitopsApiRef.id ? api : undefined,
    } as any,
  });
  const result = (await validate(formData)) as Record<string, any>;
  return Object.fromEntries(
    Object.entries(result)
      .map(([key, value]) => [key, value?.__errors ?? []])
      .filter(([, errors]) => errors.length > 0),
  );
}

describe('example templates', () => {
  const files = fs.readdirSync(TEMPLATES).filter(f => f.endsWith('.yaml'));

  it.each(files)(
    '%s uses only the GitOps fields this plugin provides, with their options',
    file => {
      const uses = template(file).spec.parameters.flatMap((page: any) =>
        fieldsOf(page)
          .filter(({ schema }) => schema['ui:field'].startsWith('GitOps'))
          .map(({ at, schema }) => {
            const field: string = schema['ui:field'];
            const options = Object.keys(schema['ui:options'] ?? {});
            const entityField =
              schema['ui:options']?.entityRefField ?? 'entityRef';
            return {
              at,
              field,
              known: field in FIELDS,
              unknownOptions: options.filter(
                option => !(UI_OPTIONS[field] ?? []).includes(option),
              ),
              // The entity field must be on the same page, so the picker can read it while the page is shown.
              entityField:
                field === 'GitOpsApplicationPicker'
                  ? page.properties[entityField]?.['ui:field']
                  : undefined,
            };
          }),
      );
      expect(uses.length).toBeGreaterThan(0);
      expect(uses).toEqual(
        uses.map((use: { field: string }) => ({
          ...use,
          known: true,
          unknownOptions: [],
          entityField:
            use.field === 'GitOpsApplicationPicker'
              ? 'EntityPicker'
              : undefined,
        })),
      );
    },
  );

  it('lets environment-change through with an application of the service, and refuses another', async () => {
    const [where] = template('environment-change.yaml').spec.parameters;
    expect(
      await validatePage(where, {
        entityRef: 'component:default/shop-api',
        application: 'shop-api-staging',
      }),
    ).toEqual({});
    expect(
      await validatePage(where, {
        entityRef: 'component:default/shop-api',
        application: 'billing-prod',
      }),
    ).toEqual({
      application: [
        'billing-prod is not an application of component:default/shop-api; choose one of its environments',
      ],
    });
  });

  it('checks both ends of a promotion', async () => {
    const [promotion] = template('promotion.yaml').spec.parameters;
    expect(
      await validatePage(promotion, {
        entityRef: 'component:default/shop-api',
        from: 'shop-api-staging',
        to: 'vault-proxy-prod',
      }),
    ).toEqual({
      to: [
        'vault-proxy-prod is not an application of component:default/shop-api; choose one of its environments',
      ],
    });
  });

  it('refuses a new service environment whose name is not a DNS label', async () => {
    const environments = template('new-service.yaml').spec.parameters[1];
    expect(
      await validatePage(environments, {
        environments: [
          { name: 'dev', namespace: 'payments' },
          { name: 'perf', namespace: 'payments' },
        ],
      }),
    ).toEqual({});
    expect(
      await validatePage(environments, {
        environments: [
          { name: 'dev', namespace: 'payments' },
          { name: 'Prod_EU', namespace: 'payments' },
        ],
      }),
    ).toEqual({
      environments: [
        'Item 2: "Prod_EU" is not a valid environment name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      ],
    });
  });
});
