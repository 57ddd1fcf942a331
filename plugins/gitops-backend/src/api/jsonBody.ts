import express from 'express';

/**
 * `express.json` with a size limit, counted after any `Content-Encoding` is undone, whose 413 names the
 * limit instead of body-parser's bare "request entity too large".
 */
export function jsonBody(limitBytes: number): express.RequestHandler {
  const parse = express.json({ limit: limitBytes });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      const failure = error as { type?: string; message?: string } | undefined;
      if (failure?.type === 'entity.too.large') {
        failure.message = `the request body is larger than ${limitBytes} bytes (${Math.round(
          limitBytes / 1024,
        )} kB), the most this route accepts`;
      }
      next(error);
    });
}
