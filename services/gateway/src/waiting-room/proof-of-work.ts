import { createHash, randomBytes } from 'node:crypto';

/**
 * Proof-of-work on join: find a `nonce` so that sha256(challenge + nonce) (UTF-8 strings
 * concatenated) starts with `difficulty` zero bits. The challenge is `<difficulty>.<random>`
 * and single use; the server checks one hash, the client tries about 2^difficulty.
 */
export const POW_ALGORITHM = 'sha256-leading-zero-bits';
export const MAX_NONCE_LENGTH = 64;

export function newChallenge(difficulty: number): string {
  return `${difficulty}.${randomBytes(16).toString('base64url')}`;
}

/** The difficulty a challenge was issued at, or undefined when it is not one of ours. */
export function challengeDifficulty(challenge: string): number | undefined {
  const match = /^(\d{1,2})\.[A-Za-z0-9_-]{22}$/.exec(challenge);
  return match ? Number(match[1]) : undefined;
}

export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function isProofOfWorkValid(challenge: string, nonce: string, difficulty: number): boolean {
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) return false;
  const digest = createHash('sha256')
    .update(challenge + nonce, 'utf8')
    .digest();
  return leadingZeroBits(digest) >= difficulty;
}

/** Solves a challenge (tests, benchmarks, scripted clients): counts up in decimal. */
export function solveProofOfWork(challenge: string, difficulty: number): string {
  for (let nonce = 0; ; nonce++) {
    if (isProofOfWorkValid(challenge, String(nonce), difficulty)) return String(nonce);
  }
}
