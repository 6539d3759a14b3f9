import { describe, expect, it } from '@jest/globals';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import {
  Keyring,
  signingKeyFromPem,
  verificationKeyFromPem,
  generateSigningKey,
  privateKeyPem,
} from './keyring';
import { QueueTokens } from './queue-tokens';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const rsa = signingKeyFromPem(rsaPem, 'rsa-1');
const tokens = new QueueTokens(new Keyring(rsa), { ticketTtlSeconds: 600 });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('QueueTokens', () => {
  it('takes the algorithm from the key: RS256 for RSA, ES256 for P-256', () => {
    expect(rsa.alg).toBe('RS256');
    expect(generateSigningKey().alg).toBe('ES256');
    const ticket = tokens.signTicket({ ticketId: 't1', campaignId: 'c1', queueNumber: 7 });
    expect(JSON.parse(Buffer.from(ticket.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'RS256',
      kid: 'rsa-1',
    });
    expect(tokens.verifyTicket(ticket, 'c1')).toMatchObject({
      ticketId: 't1',
      campaignId: 'c1',
      queueNumber: 7,
    });
  });

  it('refuses HS256 signed with the RSA public key (algorithm confusion)', () => {
    const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' });
    const payload = b64({
      typ: 'ticket',
      queueNumber: 1,
      sub: 't1',
      aud: 'c1',
      iss: 'khiw-gateway',
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    expect(() => tokens.verifyTicket(`${header}.${payload}.${signature}`)).toThrow(
      expect.objectContaining({ code: 'TOKEN_INVALID' }),
    );
  });

  it('accepts tokens of the previous key during a rotation, and publishes both', () => {
    const old = generateSigningKey('old');
    const oldTokens = new QueueTokens(new Keyring(old), { ticketTtlSeconds: 600 });
    const ticket = oldTokens.signTicket({ ticketId: 't2', campaignId: 'c1', queueNumber: null });
    const publicPem = old.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const rotated = new QueueTokens(new Keyring(rsa, [verificationKeyFromPem(publicPem, 'old')]), {
      ticketTtlSeconds: 600,
    });
    expect(rotated.verifyTicket(ticket).queueNumber).toBeNull();
    expect(
      new Keyring(rsa, [verificationKeyFromPem(publicPem, 'old')]).jwks().keys.map((k) => k.kid),
    ).toEqual(['rsa-1', 'old']);
    expect(privateKeyPem(old)).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('keeps token kinds apart and checks ops roles', () => {
    const ops = tokens.signOps({ subject: 'a', role: 'staff', ttlSeconds: 60 });
    expect(tokens.verifyOps(ops, ['ops', 'staff'])).toEqual({ subject: 'a', role: 'staff' });
    expect(() => tokens.verifyOps(ops, ['ops'])).toThrow(expect.objectContaining({ code: 'ROLE_FORBIDDEN' }));
    const access = tokens.signAccess({
      ticketId: 't1',
      campaignId: 'c1',
      queueNumber: 3,
      maxBookings: 5,
      expiresAtMs: Date.now() + 60_000,
    });
    expect(() => tokens.verifyTicket(access)).toThrow(expect.objectContaining({ code: 'TOKEN_WRONG_TYPE' }));
    expect(() => tokens.verifyAccess(access, 'c2')).toThrow(
      expect.objectContaining({ code: 'TOKEN_WRONG_AUDIENCE' }),
    );
  });
});
