import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClusterConfigs } from './readClusterConfigs';

const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const CA_DATA = Buffer.from(PEM).toString('base64');

function kubeconfigYaml(
  options: { currentContext?: string; caPath?: string } = {},
): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: dev',
    '  cluster:',
    '    server: https://127.0.0.1:6443',
    `    certificate-authority: ${options.caPath ?? 'ca.crt'}`,
    '- name: prod',
    '  cluster:',
    '    server: https://127.0.0.1:7443',
    'users:',
    '- name: admin',
    '  user:',
    '    token: secret-token',
    'contexts:',
    '- name: dev',
    '  context: {cluster: dev, user: admin}',
    '- name: prod',
    '  context: {cluster: prod, user: admin}',
    ...(options.currentContext === undefined
      ? []
      : [`current-context: ${options.currentContext}`]),
    '',
  ].join('\n');
}

describe('readClusterConfigs', () => {
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    // The suite may itself run in a pod: in-cluster detection must see no pod here.
    delete process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_PORT;
    dir = await fs.mkdtemp(join(tmpdir(), 'gitops-clusters-'));
    await fs.writeFile(join(dir, 'ca.crt'), PEM);
    await fs.writeFile(join(dir, 'not-a-cert.txt'), 'hello');
    await fs.writeFile(
      join(dir, 'kubeconfig'),
      kubeconfigYaml({ currentContext: 'dev' }),
    );
    await fs.writeFile(join(dir, 'no-current-context'), kubeconfigYaml());
    await fs.writeFile(join(dir, 'broken'), 'clusters: [unclosed\n');
  });

  afterAll(async () => {
    process.env = env;
    await fs.rm(dir, { recursive: true, force: true });
  });

  function read(clusters: JsonObject[]) {
    return readClusterConfigs(new ConfigReader({ gitops: { clusters } }));
  }

  it('reads nothing when no cluster is configured', () => {
    expect(readClusterConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('reads a service-account entry in the Kubernetes plugin shape', () => {
    const [cluster] = read([
      {
        name: 'prod-eu',
        url: 'https://127.0.0.1:6443/',
        authProvider: 'serviceAccount',
        serviceAccountToken: 'token-value',
        caData: CA_DATA,
      },
    ]);
    expect(cluster.name).toBe('prod-eu');
    expect(cluster.kubeConfig.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443/',
      caData: CA_DATA,
      skipTLSVerify: false,
    });
    expect(cluster.kubeConfig.getCurrentUser()?.token).toBe('token-value');
  });

  it('reads a kubeconfig file, resolving its certificate paths next to the file, and picks a context', () => {
    const [dev, prod] = read([
      { name: 'dev', kubeconfig: { path: join(dir, 'kubeconfig') } },
      {
        name: 'prod',
        kubeconfig: { path: join(dir, 'kubeconfig'), context: 'prod' },
      },
    ]);
    expect(dev.kubeConfig.getCurrentCluster()).toMatchObject({
      server: 'https://127.0.0.1:6443',
      caFile: join(dir, 'ca.crt'),
    });
    expect(prod.kubeConfig.getCurrentCluster()?.server).toBe(
      'https://127.0.0.1:7443',
    );
  });

  it('reads the pod service account when running in a cluster', () => {
    process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '6443';
    try {
      const [cluster] = read([{ name: 'self', inCluster: true }]);
      expect(cluster.kubeConfig.getCurrentCluster()?.server).toBe(
        'https://127.0.0.1:6443',
      );
    } finally {
      delete process.env.KUBERNETES_SERVICE_HOST;
      delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });

  const token = { serviceAccountToken: 't' };
  it.each<[string, () => JsonObject[], RegExp]>([
    [
      'a missing name',
      () => [{ url: 'https://127.0.0.1', ...token }],
      /gitops\.clusters\[0\]: name is required/,
    ],
    [
      'a name with a slash',
      () => [{ name: 'a/b', url: 'https://127.0.0.1', ...token }],
      /name must be 1-63 letters/,
    ],
    [
      'a duplicate name',
      () => [
        { name: 'prod', url: 'https://127.0.0.1', ...token },
        { name: 'prod', url: 'https://127.0.0.2', ...token },
      ],
      /gitops\.clusters\[1\] \("prod"\): duplicate cluster name "prod"/,
    ],
    [
      'no way to connect',
      () => [{ name: 'x' }],
      /needs url \(with serviceAccountToken\), kubeconfig or inCluster: true/,
    ],
    [
      'two ways to connect',
      () => [
        {
          name: 'x',
          url: 'https://127.0.0.1',
          ...token,
          kubeconfig: { path: join(dir, 'kubeconfig') },
        },
      ],
      /sets url and kubeconfig; choose one/,
    ],
    [
      'a url without a token',
      () => [{ name: 'x', url: 'https://127.0.0.1' }],
      /serviceAccountToken is required with url/,
    ],
    [
      'a blank token',
      () => [
        { name: 'x', url: 'https://127.0.0.1', serviceAccountToken: '  ' },
      ],
      /serviceAccountToken is required/,
    ],
    [
      'an end-user auth provider',
      () => [
        { name: 'x', url: 'https://127.0.0.1', authProvider: 'oidc', ...token },
      ],
      /authProvider "oidc" is not supported/,
    ],
    [
      'a url that is not one',
      () => [{ name: 'x', url: 'not a url', ...token }],
      /url "not a url" is not a valid URL/,
    ],
    [
      'a url of another scheme',
      () => [{ name: 'x', url: 'ftp://127.0.0.1', ...token }],
      /must use https/,
    ],
    [
      'plain http without opting out of TLS',
      () => [{ name: 'x', url: 'http://127.0.0.1:8080', ...token }],
      /is plain http/,
    ],
    [
      'both caData and caFile',
      () => [
        {
          name: 'x',
          url: 'https://127.0.0.1',
          ...token,
          caData: CA_DATA,
          caFile: join(dir, 'ca.crt'),
        },
      ],
      /set caData or caFile, not both/,
    ],
    [
      'caData that is not a certificate',
      () => [
        {
          name: 'x',
          url: 'https://127.0.0.1',
          ...token,
          caData: Buffer.from('hello').toString('base64'),
        },
      ],
      /caData must be a base64-encoded PEM certificate/,
    ],
    [
      'an unreadable caFile',
      () => [
        {
          name: 'x',
          url: 'https://127.0.0.1',
          ...token,
          caFile: join(dir, 'missing.crt'),
        },
      ],
      /cannot read caFile .*missing\.crt \(ENOENT\)/,
    ],
    [
      'a caFile without a certificate',
      () => [
        {
          name: 'x',
          url: 'https://127.0.0.1',
          ...token,
          caFile: join(dir, 'not-a-cert.txt'),
        },
      ],
      /holds no PEM certificate/,
    ],
    [
      'a kubeconfig without a path',
      () => [{ name: 'x', kubeconfig: { context: 'dev' } }],
      /kubeconfig\.path is required/,
    ],
    [
      'an unreadable kubeconfig',
      () => [{ name: 'x', kubeconfig: { path: join(dir, 'missing') } }],
      /cannot read kubeconfig .*missing \(ENOENT\)/,
    ],
    [
      'a kubeconfig that is not YAML',
      () => [{ name: 'x', kubeconfig: { path: join(dir, 'broken') } }],
      /kubeconfig .*broken is not valid/,
    ],
    [
      'a context the kubeconfig lacks',
      () => [
        {
          name: 'x',
          kubeconfig: { path: join(dir, 'kubeconfig'), context: 'staging' },
        },
      ],
      /has no context "staging" \(contexts: dev, prod\)/,
    ],
    [
      'a kubeconfig without a current context',
      () => [
        { name: 'x', kubeconfig: { path: join(dir, 'no-current-context') } },
      ],
      /has no current-context; set kubeconfig\.context/,
    ],
    [
      'inCluster outside a pod',
      () => [{ name: 'x', inCluster: true }],
      /not running in a Kubernetes pod/,
    ],
  ])(
    'rejects %s with an InputError naming the entry',
    (_case, clusters, message) => {
      let error: unknown;
      try {
        read(clusters());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/secret-token|token-value/);
    },
  );
});
