import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One configured cluster: its name and the credentials and TLS settings to reach it. */
export interface ClusterConfig {
  name: string;
  kubeConfig: KubeConfig;
}

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function fail(where: string, problem: string): never {
  throw new InputError(`${where}: ${problem}`);
}

function readable(where: string, what: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(where, `cannot read ${what} ${path} (${reason})`);
  }
}

function fromServiceAccount(
  where: string,
  name: string,
  entry: Config,
): KubeConfig {
  const authProvider =
    entry.getOptionalString('authProvider') ?? 'serviceAccount';
  if (authProvider !== 'serviceAccount') {
    // End-user providers (google, oidc, aks...) hold no credential that can keep a watch open for hours.
    fail(
      where,
      `authProvider "${authProvider}" is not supported; use serviceAccount with a serviceAccountToken`,
    );
  }
  const url = entry.getString('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(where, `url "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    fail(where, `url "${url}" must use https`);
  }
  const skipTLSVerify = entry.getOptionalBoolean('skipTLSVerify') ?? false;
  if (parsed.protocol === 'http:' && !skipTLSVerify) {
    fail(
      where,
      `url "${url}" is plain http: use https, or set skipTLSVerify: true to accept an unencrypted connection`,
    );
  }
  const token = entry.getOptionalString('serviceAccountToken')?.trim();
  if (!token) fail(where, 'serviceAccountToken is required with url');
  const caData = entry.getOptionalString('caData');
  const caFile = entry.getOptionalString('caFile');
  if (caData && caFile) fail(where, 'set caData or caFile, not both');
  if (
    caData &&
    !Buffer.from(caData, 'base64')
      .toString('latin1')
      .includes('-----BEGIN CERTIFICATE-----')
  ) {
    fail(where, 'caData must be a base64-encoded PEM certificate');
  }
  if (
    caFile &&
    !readable(where, 'caFile', caFile).includes('-----BEGIN CERTIFICATE-----')
  ) {
    fail(where, `caFile ${caFile} holds no PEM certificate`);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    {
      name,
      server: url,
      skipTLSVerify,
      ...(caData ? { caData } : {}),
      ...(caFile ? { caFile: resolve(caFile) } : {}),
    },
    { name: `${name}-service-account`, token },
  );
  return kubeConfig;
}

function fromKubeconfigFile(where: string, entry: Config): KubeConfig {
  const path = entry.getOptionalString('kubeconfig.path');
  if (!path) fail(where, 'kubeconfig.path is required');
  const text = readable(where, 'kubeconfig', path);
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch (error) {
    fail(where, `kubeconfig ${path} is not valid: ${(error as Error).message}`);
  }
  // Relative certificate and key paths in a kubeconfig are relative to the file, as kubectl reads them.
  kubeConfig.makePathsAbsolute(dirname(resolve(path)));
  const context = entry.getOptionalString('kubeconfig.context');
  if (context) {
    if (!kubeConfig.getContextObject(context)) {
      const known =
        kubeConfig
          .getContexts()
          .map(c => c.name)
          .join(', ') || 'none';
      fail(
        where,
        `kubeconfig ${path} has no context "${context}" (contexts: ${known})`,
      );
    }
    kubeConfig.setCurrentContext(context);
  } else if (
    !kubeConfig.getCurrentContext() ||
    !kubeConfig.getContextObject(kubeConfig.getCurrentContext())
  ) {
    fail(
      where,
      `kubeconfig ${path} has no current-context; set kubeconfig.context`,
    );
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    fail(
      where,
      `kubeconfig ${path}: context "${kubeConfig.getCurrentContext()}" names no cluster with a server`,
    );
  }
  if (!kubeConfig.getCurrentUser()) {
    fail(
      where,
      `kubeconfig ${path}: context "${kubeConfig.getCurrentContext()}" names no user`,
    );
  }
  return kubeConfig;
}

function fromInCluster(where: string): KubeConfig {
  if (
    !process.env.KUBERNETES_SERVICE_HOST ||
    !process.env.KUBERNETES_SERVICE_PORT
  ) {
    fail(
      where,
      'inCluster is set but the backend is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is unset)',
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
  return kubeConfig;
}

/**
 * Reads `gitops.clusters`: each entry is an API server URL with a service-account token (the
 * Kubernetes plugin's `type: config` shape), a kubeconfig file, or `inCluster: true`.
 * Bad entries fail with an `InputError` naming the entry.
 */
export function readClusterConfigs(config: Config): ClusterConfig[] {
  const entries = config.getOptionalConfigArray('gitops.clusters') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const name = entry.getOptionalString('name');
    const where = `gitops.clusters[${index}]${name ? ` ("${name}")` : ''}`;
    if (!name) fail(where, 'name is required');
    if (!CLUSTER_NAME.test(name)) {
      fail(
        where,
        'name must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    }
    if (seen.has(name)) fail(where, `duplicate cluster name "${name}"`);
    seen.add(name);

    const modes = [
      entry.has('url') ? 'url' : undefined,
      entry.has('kubeconfig') ? 'kubeconfig' : undefined,
      entry.getOptionalBoolean('inCluster') ? 'inCluster' : undefined,
    ].filter((mode): mode is string => mode !== undefined);
    if (modes.length === 0) {
      fail(
        where,
        'needs url (with serviceAccountToken), kubeconfig or inCluster: true',
      );
    }
    if (modes.length > 1)
      fail(where, `sets ${modes.join(' and ')}; choose one`);

    let kubeConfig: KubeConfig;
    if (modes[0] === 'url') kubeConfig = fromServiceAccount(where, name, entry);
    else if (modes[0] === 'kubeconfig')
      kubeConfig = fromKubeconfigFile(where, entry);
    else kubeConfig = fromInCluster(where);
    return { name, kubeConfig };
  });
}
