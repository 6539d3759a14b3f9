import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

export type TokenAlgorithm = 'ES256' | 'RS256';

export interface VerificationKey {
  kid: string;
  alg: TokenAlgorithm;
  publicKey: KeyObject;
}
export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/** The algorithm follows from the key, so a token can never choose it (pinned on verify). */
export function algorithmOf(key: KeyObject): TokenAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)
    return 'RS256';
  throw new Error('signing key must be an EC P-256 (ES256) or RSA >= 2048-bit (RS256) private key');
}

export function signingKeyFromPem(pem: string, kid: string): SigningKey {
  const privateKey = createPrivateKey(pem.replace(/\\n/g, '\n'));
  return { kid, alg: algorithmOf(privateKey), privateKey, publicKey: createPublicKey(privateKey) };
}

export function verificationKeyFromPem(pem: string, kid: string): VerificationKey {
  const publicKey = createPublicKey(pem.replace(/\\n/g, '\n'));
  return { kid, alg: algorithmOf(publicKey), publicKey };
}

/** A fresh ES256 key pair (development and tests only; production configures its key). */
export function generateSigningKey(kid = `ephemeral-${randomBytes(4).toString('hex')}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg: 'ES256', privateKey, publicKey };
}

export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * The key that signs now plus older public keys still accepted (rotation: publish the new
 * key's id, keep the previous public key until the longest token lifetime has passed).
 */
export class Keyring {
  private readonly byKid = new Map<string, VerificationKey>();

  constructor(
    readonly signing: SigningKey,
    previous: VerificationKey[] = [],
  ) {
    for (const key of [signing, ...previous]) this.byKid.set(key.kid, key);
  }

  find(kid: string | undefined): VerificationKey | undefined {
    return kid === undefined ? undefined : this.byKid.get(kid);
  }

  /** RFC 7517 key set for `/.well-known/jwks.json`. */
  jwks(): { keys: (JsonWebKey & { kid: string; alg: string; use: string })[] } {
    return {
      keys: [...this.byKid.values()].map((key) => ({
        ...key.publicKey.export({ format: 'jwk' }),
        kid: key.kid,
        alg: key.alg,
        use: 'sig',
      })),
    };
  }
}
