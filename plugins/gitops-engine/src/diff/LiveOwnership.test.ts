import type { ManagedFieldsEntry } from '../types';
import { LiveOwnership } from './LiveOwnership';
import { intersectFields } from './fieldOwnership';

// Entries as kube-apiserver v1.36 wrote them for `kubectl create deployment` and client-side `kubectl apply`.

/** What the creating request owns: what was sent plus every default the server filled in. */
const createdFields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:progressDeadlineSeconds': {},
    'f:replicas': {},
    'f:selector': {},
    'f:strategy': {
      'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
      'f:type': {},
    },
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"echo"}': {
            '.': {},
            'f:image': {},
            'f:imagePullPolicy': {},
            'f:name': {},
            'f:resources': {},
            'f:terminationMessagePath': {},
          },
        },
        'f:dnsPolicy': {},
      },
    },
  },
};

function update(manager: string, fieldsV1: object): ManagedFieldsEntry {
  return {
    manager,
    operation: 'Update',
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1 as Record<string, unknown>,
  };
}

describe('LiveOwnership.kubectlUpdates', () => {
  it('leaves out the commands that only create: their entry owns every server default', () => {
    const ownership = new LiveOwnership(
      [
        update('kubectl-create', createdFields),
        update('kubectl-run', createdFields),
        update('kubectl-expose', createdFields),
        update('kubectl-edit', { 'f:spec': { 'f:replicas': {} } }),
      ],
      'backstage-gitops',
    );
    expect(ownership.kubectlUpdates().map(entry => entry.manager)).toEqual([
      'kubectl-edit',
    ]);
  });

  it('limits a client-side apply to the fields its last-applied annotation names', () => {
    // `{"metadata":{"annotations":{},"labels":{"app":"echo"}},"spec":{"replicas":1,"strategy":{},...}}`
    const lastApplied = {
      'f:metadata': { 'f:annotations': {}, 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { 'f:app': {} } },
        'f:strategy': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"echo"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:resources': {},
              },
            },
          },
        },
      },
    };
    const ownership = new LiveOwnership(
      [update('kubectl-client-side-apply', createdFields)],
      'backstage-gitops',
      undefined,
      lastApplied,
    );
    expect(ownership.kubectlUpdates()).toEqual([
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        fields: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"echo"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:resources': {},
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });
});

describe('intersectFields', () => {
  it('matches list keys whatever the order of their fields', () => {
    expect(
      intersectFields(
        {
          'f:ports': {
            'k:{"containerPort":80,"protocol":"TCP"}': {
              '.': {},
              'f:name': {},
            },
          },
        },
        {
          'f:ports': { 'k:{"protocol":"TCP","containerPort":80}': { '.': {} } },
        },
      ),
    ).toEqual({
      'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {} } },
    });
  });

  it('keeps only the node itself under an empty map of the recorded object', () => {
    expect(
      intersectFields(
        {
          'f:annotations': { '.': {}, 'f:note': {} },
          'f:labels': { 'f:a': {} },
        },
        { 'f:annotations': {}, 'f:labels': {} },
      ),
    ).toEqual({ 'f:annotations': { '.': {} } });
  });
});
