import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { PartnerEntry } from '../src/partners/partner-registry';
import { sha256Hex } from '../src/partners/partner-registry';
import { PARTNER_ASSERTION_AUDIENCE } from '../src/partners/exchange-partner-token.usecase';

/** A partner's API key: the secret the partner keeps, the entry khiw configures (its hash). */
export function apiKey(kid: string): { kid: string; secret: string; entry: { kid: string; sha256: string } } {
  const secret = `pk_${randomBytes(24).toString('base64url')}`;
  return { kid, secret, entry: { kid, sha256: sha256Hex(secret) } };
}

/** A partner's signing key pair: the private key stays with the partner. */
export function assertionKey(kid: string): {
  kid: string;
  privateKey: KeyObject;
  entry: { kid: string; publicKeyPem: string };
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    privateKey,
    entry: { kid, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
  };
}

/** A client assertion as RFC 7523 wants it: iss = sub = the partner, one-off jti, short exp. */
export function signAssertion(partnerId: string, key: { kid: string; privateKey: KeyObject }): string {
  return jwt.sign({ jti: randomUUID() }, key.privateKey, {
    algorithm: 'ES256',
    keyid: key.kid,
    issuer: partnerId,
    subject: partnerId,
    audience: PARTNER_ASSERTION_AUDIENCE,
    expiresIn: 60,
  });
}

export const partnersEnv = (list: PartnerEntry[]): string => JSON.stringify(list);
