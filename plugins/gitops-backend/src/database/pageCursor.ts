import { InputError } from '@backstage/errors';

/** Opaque keyset-pagination cursors: the position of the last item of a page, base64url-encoded JSON. */
export const pageCursor = {
  encode(position: Record<string, unknown>): string {
    return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
  },

  decode(cursor: string): Record<string, unknown> {
    try {
      const position = JSON.parse(
        Buffer.from(cursor, 'base64url').toString('utf8'),
      );
      if (
        position &&
        typeof position === 'object' &&
        !Array.isArray(position)
      ) {
        return position;
      }
    } catch {
      // reported below, as for any other malformed cursor
    }
    throw new InputError('Malformed page cursor');
  },
};
