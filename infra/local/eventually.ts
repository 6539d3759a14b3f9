/**
 * The one polling helper of the tests, the local infrastructure and the benchmarks: calls
 * `probe` every `everyMs` until it returns a value other than undefined (or false), and
 * returns that value. A probe that throws counts as "not yet"; when time runs out the error
 * names `what` and the last thing the probe threw.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(everyMs, Math.max(1, deadline - Date.now()))),
    );
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}
