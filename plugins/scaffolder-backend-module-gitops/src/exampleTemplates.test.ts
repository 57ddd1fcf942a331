import { mockServices } from '@backstage/backend-test-utils';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { validate } from 'jsonschema';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import {
  RenderedStep,
  TemplateDocument,
  renderTemplateSteps,
} from './__testUtils__/renderTemplateSteps';
import {
  createApplicationInputSchema,
  createCreateApplicationAction,
} from './actions/createApplication';
import { parseActionInput } from './actions/parseActionInput';
import {
  createProposeChangeAction,
  proposeChangeInputSchema,
} from './actions/proposeChange';
import {
  createWaitForChangeAction,
  waitForChangeInputSchema,
} from './actions/waitForChange';

const TEMPLATES = path.resolve(__dirname, '../../../examples/templates');

const deps = { discovery: mockServices.discovery(), auth: mockServices.auth() };
const actions = {
  'gitops:change:propose': {
    action: createProposeChangeAction(deps),
    schema: proposeChangeInputSchema,
  },
  'gitops:change:wait': {
    action: createWaitForChangeAction(deps),
    schema: waitForChangeInputSchema,
  },
  'gitops:application:create': {
    action: createCreateApplicationAction(deps),
    schema: createApplicationInputSchema,
  },
} as const;

function load(file: string) {
  return yaml.parse(fs.readFileSync(path.join(TEMPLATES, file), 'utf8'));
}

/** Plays our actions: validates the rendered input as the scaffolder and the action would, then answers. */
function play(step: RenderedStep) {
  const known = actions[step.action as keyof typeof actions];
  if (!known) {
    throw new Error(
      `step ${step.id} uses ${step.action}, which is not one of ours`,
    );
  }
  expect(validate(step.input, known.action.schema!.input!).errors).toEqual([]);
  const input = parseActionInput(
    step.action,
    known.schema as any,
    step.input,
  ) as any;
  if (step.action === 'gitops:change:wait') {
    return { state: input.until, events: [] };
  }
  return {
    changeRequestId: `cr-${step.id}`,
    state: 'pr-open',
    pullRequestUrl: `https://forge.example/acme/config/pull/${step.id}`,
    policyVerdict: 'allow',
  };
}

/** Checks parameters against the template's form pages, as the scaffolder's form does. */
function expectValidParameters(template: any, parameters: object) {
  for (const page of template.spec.parameters) {
    expect(validate(parameters, page).errors).toEqual([]);
  }
}

describe('example templates', () => {
  it.each(fs.readdirSync(TEMPLATES).filter(f => f.endsWith('.yaml')))(
    '%s is a valid Template entity',
    async file => {
      await expect(
        templateEntityV1beta3Validator.check(load(file)),
      ).resolves.toBe(true);
    },
  );

  it('new-service proposes the application, then waits for the merge', () => {
    const template = load('new-service.yaml');
    const parameters = {
      entityRef: 'component:default/payments',
      name: 'payments',
      image: 'ghcr.io/acme/payments',
      tag: '1.0.0',
      port: 8080,
      environments: [
        { name: 'dev', namespace: 'payments-dev', replicas: 1 },
        {
          name: 'prod',
          namespace: 'payments-prod',
          replicas: 3,
          cluster: 'local',
        },
      ],
    };
    expectValidParameters(template, parameters);

    const { steps, output } = renderTemplateSteps(
      template as TemplateDocument,
      parameters,
      play,
    );

    expect(steps.map(s => s.action)).toEqual([
      'gitops:application:create',
      'gitops:change:wait',
    ]);
    expect(steps[0].input).toEqual({ ...parameters });
    expect(steps[1].input).toMatchObject({
      changeRequestId: 'cr-create',
      until: 'merged',
    });
    expect(output.links[0].url).toBe(
      'https://forge.example/acme/config/pull/create',
    );
    expect(output.text[0].content).toContain('applications/payments.yaml');
  });

  it.each([
    [
      'a new image tag',
      { change: 'image', tag: '1.5.0', container: 'web' },
      {
        type: 'image',
        application: 'shop-api-staging',
        container: 'web',
        tag: '1.5.0',
      },
    ],
    [
      'a replica count',
      { change: 'replicas', replicas: 4 },
      { type: 'replicas', application: 'shop-api-staging', replicas: 4 },
    ],
    [
      'an environment variable',
      { change: 'env', envName: 'LOG_LEVEL', envValue: 'debug' },
      {
        type: 'env',
        application: 'shop-api-staging',
        name: 'LOG_LEVEL',
        value: 'debug',
      },
    ],
    [
      'the removal of an environment variable',
      { change: 'env', envName: 'LOG_LEVEL' },
      {
        type: 'env',
        application: 'shop-api-staging',
        name: 'LOG_LEVEL',
        value: null,
      },
    ],
  ])(
    'environment-change proposes %s, then waits until healthy',
    (_, what, change) => {
      const template = load('environment-change.yaml');
      const parameters = {
        entityRef: 'component:default/shop-api',
        application: 'shop-api-staging',
        reason: 'Release 1.5',
        ...what,
      };
      expectValidParameters(template, parameters);

      const { steps, output } = renderTemplateSteps(
        template as TemplateDocument,
        parameters,
        play,
      );

      expect(steps.map(s => s.id)).toEqual([what.change, 'wait']);
      expect(steps[0].input.changes).toEqual([change]);
      expect(steps[0].input.entityRef).toBe('component:default/shop-api');
      expect(steps[1].input).toMatchObject({
        changeRequestId: `cr-${what.change}`,
        until: 'healthy',
      });
      expect(output.links[0].url).toBe(
        `https://forge.example/acme/config/pull/${what.change}`,
      );
    },
  );

  it('promotion promotes one application to another, then waits until healthy', () => {
    const template = load('promotion.yaml');
    const parameters = {
      entityRef: 'component:default/shop-api',
      from: 'shop-api-staging',
      to: 'shop-api-prod',
    };
    expectValidParameters(template, parameters);

    const { steps } = renderTemplateSteps(
      template as TemplateDocument,
      parameters,
      play,
    );

    expect(steps.map(s => s.action)).toEqual([
      'gitops:change:propose',
      'gitops:change:wait',
    ]);
    expect(steps[0].input).toEqual({
      entityRef: 'component:default/shop-api',
      title: 'Promote shop-api-staging to shop-api-prod',
      changes: [
        { type: 'promote', from: 'shop-api-staging', to: 'shop-api-prod' },
      ],
    });
    expect(steps[1].input).toMatchObject({
      changeRequestId: 'cr-promote',
      until: 'healthy',
    });
  });
});
