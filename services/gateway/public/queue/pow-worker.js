// Runs the join proof-of-work off the main thread so the page stays responsive.
import { solve } from './pow.js';

self.onmessage = async (event) => {
  const { challenge, difficulty } = event.data;
  try {
    self.postMessage({ nonce: await solve(challenge, difficulty) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
