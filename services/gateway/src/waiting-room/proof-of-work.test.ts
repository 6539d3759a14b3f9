import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  challengeDifficulty,
  isProofOfWorkValid,
  leadingZeroBits,
  newChallenge,
  solveProofOfWork,
} from './proof-of-work';

describe('proof of work', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Buffer.from([0xff]))).toBe(0);
    expect(leadingZeroBits(Buffer.from([0x0f, 0xff]))).toBe(4);
    expect(leadingZeroBits(Buffer.from([0x00, 0x01]))).toBe(15);
    expect(leadingZeroBits(Buffer.from([0x00, 0x00]))).toBe(16);
  });

  it('accepts a solved challenge and refuses a wrong nonce', () => {
    const challenge = newChallenge(10);
    expect(challengeDifficulty(challenge)).toBe(10);
    const nonce = solveProofOfWork(challenge, 10);
    const digest = createHash('sha256')
      .update(challenge + nonce)
      .digest();
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(10);
    expect(isProofOfWorkValid(challenge, nonce, 10)).toBe(true);
    const wrong = [...Array(200).keys()].map(String).find((n) => !isProofOfWorkValid(challenge, n, 10));
    expect(isProofOfWorkValid(challenge, wrong!, 10)).toBe(false);
    expect(isProofOfWorkValid(challenge, '', 0)).toBe(false);
    expect(isProofOfWorkValid(challenge, 'x'.repeat(65), 0)).toBe(false);
  });

  it('recognises only its own challenge format', () => {
    expect(challengeDifficulty('abc')).toBeUndefined();
    expect(challengeDifficulty('0.short')).toBeUndefined();
  });
});
