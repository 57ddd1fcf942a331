import { createHmac } from 'node:crypto';
import { githubSignatureValidator } from './githubSignatureValidator';

const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main' }));
const sign = (secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function validate(secrets: string[], signature?: string) {
  const rejections: unknown[] = [];
  await githubSignatureValidator(secrets)(
    {
      body: JSON.parse(body.toString()),
      headers: signature ? { 'x-hub-signature-256': signature } : {},
      query: {},
      raw: { body, encoding: 'utf-8' },
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
});
