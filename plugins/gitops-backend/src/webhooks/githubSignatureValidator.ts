import type { RequestValidator } from '@backstage/plugin-events-node';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Accepts a GitHub webhook only when `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body under one of
 * the configured secrets (several, so a secret can be rotated without downtime).
 */
export function githubSignatureValidator(secrets: string[]): RequestValidator {
  const keys = secrets.filter(Boolean);
  return async (request, context) => {
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature || !signature.startsWith('sha256=')) {
      context.reject({
        status: 401,
        payload: { message: 'Missing X-Hub-Signature-256 header' },
      });
      return;
    }
    const given = Buffer.from(signature.slice('sha256='.length), 'hex');
    const valid = keys.some(key => {
      const expected = createHmac('sha256', key).update(request.raw.body).digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid) {
      context.reject({
        status: 401,
        payload: { message: 'Invalid X-Hub-Signature-256 signature' },
      });
    }
  };
}
