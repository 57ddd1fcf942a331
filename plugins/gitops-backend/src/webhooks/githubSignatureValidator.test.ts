import { createHmac } from 'node:crypto';
import { githubSignatureValidator } from './githubSignatureValidator';

const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main' }));
const sign = (secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function validate(
  secrets: string[],
  signature?: string,
  received = body,
) {
  const rejections: unknown[] = [];
  await githubSignatureValidator(secrets)(
    {
      body: JSON.parse(received.toString()),
      headers: signature ? { 'x-hub-signature-256': signature } : {},
      query: {},
      raw: { body: received, encoding: 'utf-8' },
    },
    { reject: details => void rejections.push(details) },
  );
  return rejections;
}

describe('githubSignatureValidator', () => {
  it('accepts the signature of the configured secret', async () => {
    expect(await validate(['s3cret'], sign('s3cret'))).toEqual([]);
  });

  it('accepts a previous secret during rotation', async () => {
    expect(await validate(['new', 'old'], sign('old'))).toEqual([]);
  });

  it.each([
    ['no signature', undefined],
    ['a signature made with another secret', sign('guess')],
    ['a malformed signature', 'sha256=zz'],
    ['a sha1 signature', 'sha1=abcdef'],
  ])('rejects %s with 401', async (_, signature) => {
    expect(await validate(['s3cret'], signature)).toEqual([
      expect.objectContaining({ status: 401 }),
    ]);
  });

  it('rejects a signed body altered on the way: the signature covers the raw bytes', async () => {
    const altered = Buffer.from(JSON.stringify({ ref: 'refs/heads/main ' }));
    expect(await validate(['s3cret'], sign('s3cret'), altered)).toEqual([
      expect.objectContaining({ status: 401 }),
    ]);
  });

  it('rejects everything when no secret is configured, even a signature made with an empty key', async () => {
    expect(await validate([''], sign(''))).toEqual([
      expect.objectContaining({ status: 401 }),
    ]);
    expect(await validate([], sign('s3cret'))).toEqual([
      expect.objectContaining({ status: 401 }),
    ]);
  });
});
