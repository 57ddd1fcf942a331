/*
 * One backend replica for the signals process test: a real Backstage backend (`createBackend` with the default
 * auth, httpAuth, userInfo, discovery, database and events services) with the events, signals and auth
 * backends installed as packages/backend installs them, and a guest sign-in provider to obtain a real user
 * token. Started by `ReplicaProcess` as its own node process.
 *
 * A test-only plugin, `signalprobe`, publishes through the plugin-scoped `signalsServiceRef`, the very service
 * the gitops plugin publishes `gitops:status` and `gitops:change` with:
 *
 *   POST /api/signalprobe/publish   { channel, message }   -> signals.publish, broadcast; 204
 *
 *   GITOPS_REPLICA_CONFIG   app-config as JSON (backend.listen, backend.database, auth, events)
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { JsonObject } from '@backstage/types';
import express from 'express';
import Router from 'express-promise-router';

const signalProbePlugin = createBackendPlugin({
  pluginId: 'signalprobe',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        signals: signalsServiceRef,
      },
      async init({ httpRouter, httpAuth, signals }) {
        const router = Router();
        router.use(express.json());
        router.post('/publish', async (req, res) => {
          // A signed-in user's token, checked by the real auth service.
          await httpAuth.credentials(req, { allow: ['user'] });
          const { channel, message } = req.body as {
            channel: string;
            message: JsonObject;
          };
          await signals.publish({
            recipients: { type: 'broadcast' },
            channel,
            message,
          });
          res.status(204).end();
        });
        httpRouter.use(router);
      },
    });
  },
});

async function main() {
  const config = JSON.parse(process.env.GITOPS_REPLICA_CONFIG ?? '{}');
  // The auth backend needs the app's address (for sign-in redirects); this replica stands in for it.
  config.app = { baseUrl: config.backend?.baseUrl, ...config.app };
  const backend = createBackend();
  backend.add(mockServices.rootConfig.factory({ data: config }));
  // The guest provider looks its user up in the catalog first; with none found it signs the guest in as is.
  backend.add(catalogServiceMock.factory({ entities: [] }));
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(import('@backstage/plugin-events-backend'));
  backend.add(import('@backstage/plugin-signals-backend'));
  backend.add(signalProbePlugin);
  await backend.start();
  // The parent waits for this line.
  process.stdout.write(
    `${JSON.stringify({ ready: true, pid: process.pid })}\n`,
  );
  const stop = () => {
    backend.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`replica failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
