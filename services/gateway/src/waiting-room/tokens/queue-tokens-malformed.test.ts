import { describe, expect, it } from '@jest/globals';
import { createHmac, createSign } from 'node:crypto';
import { KhiwError } from '@khiw/errors';
import { generateSigningKey, Keyring, type SigningKey } from './keyring';
import { decodeJwt, QueueTokens, TOKEN_ISSUER } from './queue-tokens';

// Every malformed token shape ends as a KhiwError with a TOKEN_* or ROLE_* code (401/403 with
// the usual envelope), never as another exception (a 500). Issue 13, item 1.
const key = generateSigningKey('k1');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 600 });
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const header = { alg: 'ES256', typ: 'JWT', kid: 'k1' };
const ticketClaims = () => ({
  typ: 'ticket',
  queueNumber: 1,
  sub: 't1',
  aud: 'c1',
  iss: TOKEN_ISSUER,
  exp: now() + 60,
});

/** A compact JWS signed with `signer` (ES256, raw r||s as JWS wants). */
function es256(claims: unknown, signer: SigningKey = key, head: unknown = header): string {
  const input = `${b64(head)}.${b64(claims)}`;
  const signature = createSign('SHA256')
    .update(input)
    .sign({ key: signer.privateKey, dsaEncoding: 'ieee-p1363' })
    .toString('base64url');
  return `${input}.${signature}`;
}

const malformed: [string, () => string][] = [
  ['empty', () => ''],
  ['one part', () => 'abc'],
  ['two parts', () => 'abc.def'],
  ['four parts', () => 'a.b.c.d'],
  ['characters outside base64url', () => `${b64(header)}.${b64(ticketClaims())}.sig+/=`],
  ['header not JSON', () => `${b64('{not json')}.${b64(ticketClaims())}.sig`],
  ['payload not JSON', () => `${b64(header)}.${b64('{not json')}.sig`],
  ['payload a JSON array', () => `${b64(header)}.${b64([1, 2])}.sig`],
  ['payload a JSON string', () => `${b64(header)}.${b64('"x"')}.sig`],
  ['payload JSON null', () => `${b64(header)}.${b64('null')}.sig`],
  ['header a number', () => `${b64('5')}.${b64(ticketClaims())}.sig`],
  ['payload not UTF-8', () => `${b64(header)}.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.sig`],
  ['huge', () => `${b64(header)}.${b64({ ...ticketClaims(), pad: 'x'.repeat(100_000) })}.sig`],
  ['unknown kid', () => es256(ticketClaims(), key, { ...header, kid: 'nobody' })],
  ['kid not a string', () => es256(ticketClaims(), key, { ...header, kid: 7 })],
  ['no kid', () => es256(ticketClaims(), key, { alg: 'ES256', typ: 'JWT' })],
  ['alg none', () => `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${b64(ticketClaims())}.`],
  [
    'HS256 signed with the public key',
    () => {
      const head = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
      const body = b64(ticketClaims());
      const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      return `${head}.${body}.${createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url')}`;
    },
  ],
  ['ES256 of another key with our kid', () => es256(ticketClaims(), generateSigningKey('k1'))],
  ['signature cut short', () => es256(ticketClaims()).slice(0, -10)],
  [
    'claims tampered after signing',
    () => swapPayload(es256(ticketClaims()), { ...ticketClaims(), queueNumber: 0 }),
  ],
  ['missing sub', () => es256({ ...ticketClaims(), sub: undefined })],
  ['sub a number', () => es256({ ...ticketClaims(), sub: 5 })],
  ['aud an array', () => es256({ ...ticketClaims(), aud: ['c1'] })],
  ['exp a string', () => es256({ ...ticketClaims(), exp: 'tomorrow' })],
  ['no exp', () => es256({ ...ticketClaims(), exp: undefined })],
  ['wrong issuer', () => es256({ ...ticketClaims(), iss: 'someone-else' })],
  ['expired', () => es256({ ...ticketClaims(), exp: now() - 60 })],
  ['not yet valid', () => es256({ ...ticketClaims(), nbf: now() + 3600 })],
  ['queue number a word', () => es256({ ...ticketClaims(), queueNumber: 'first' })],
  ['queue number negative', () => es256({ ...ticketClaims(), queueNumber: -3 })],
  ['typ missing', () => es256({ ...ticketClaims(), typ: undefined })],
];

function swapPayload(token: string, claims: unknown): string {
  const [head, , signature] = token.split('.');
  return `${head}.${b64(claims)}.${signature}`;
}

function refusal(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    if (error instanceof KhiwError) return error.code;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('QueueTokens refuse every malformed token with a token code, never another exception', () => {
  it.each(malformed)('%s', (_name, make) => {
    const token = make();
    expect(refusal(() => tokens.verifyTicket(token, 'c1'))).toMatch(/^TOKEN_/);
    expect(refusal(() => tokens.verifyAccess(token, 'c1'))).toMatch(/^TOKEN_/);
    expect(refusal(() => tokens.verifyOps(token, ['ops', 'staff']))).toMatch(/^(TOKEN_|ROLE_)/);
  });

  it('a ticket of one campaign used on another is refused as such', () => {
    const ticket = tokens.signTicket({ ticketId: 't1', campaignId: 'c1', queueNumber: 4 });
    expect(refusal(() => tokens.verifyTicket(ticket, 'c2'))).toBe('TOKEN_WRONG_AUDIENCE');
    expect(tokens.verifyTicket(ticket, 'c1').queueNumber).toBe(4);
  });

  it('an expired token says so', () => {
    expect(refusal(() => tokens.verifyTicket(es256({ ...ticketClaims(), exp: now() - 60 })))).toBe(
      'TOKEN_EXPIRED',
    );
  });

  it('an ops token with an unknown role is forbidden', () => {
    const claims = {
      typ: 'ops',
      role: 'root',
      sub: 'a',
      aud: 'khiw-ops',
      iss: TOKEN_ISSUER,
      exp: now() + 60,
    };
    expect(refusal(() => tokens.verifyOps(es256(claims), ['ops', 'staff']))).toBe('ROLE_FORBIDDEN');
  });
});

describe('decodeJwt', () => {
  it('returns header and claims of a well-formed token without verifying it', () => {
    expect(decodeJwt(es256(ticketClaims()))).toMatchObject({ header: { kid: 'k1' }, payload: { aud: 'c1' } });
  });

  it.each(malformed.slice(0, 13))('returns null for %s', (_name, make) => {
    expect(decodeJwt(make())).toBeNull();
  });
});
