// Proof-of-work for joining: find a nonce so that sha256(challenge + nonce) starts with
// `difficulty` zero bits (the gateway checks the same rule). Hashes run in parallel batches
// because crypto.subtle.digest is asynchronous; between batches the event loop breathes,
// so this also works on the main thread when Web Workers are unavailable.

const encoder = new TextEncoder();

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Resolves with the nonce (a decimal string). */
export async function solve(challenge, difficulty, batch = 256) {
  if (!difficulty) return '0';
  for (let start = 0; ; start += batch) {
    const hashes = await Promise.all(
      Array.from({ length: batch }, (_, i) =>
        crypto.subtle.digest('SHA-256', encoder.encode(challenge + (start + i))),
      ),
    );
    for (let i = 0; i < batch; i++) {
      if (leadingZeroBits(new Uint8Array(hashes[i])) >= difficulty) return String(start + i);
    }
    if (typeof window !== 'undefined') await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
