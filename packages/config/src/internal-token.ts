import type { z } from 'zod';

/**
 * A service's `superRefine`: INTERNAL_API_TOKEN may be left unset on a developer machine
 * (the /internal APIs then check nothing), never in production, where an unset token would
 * open cancel, campaign load and the registry import to anyone who reaches the port.
 */
export function internalTokenInProduction(
  config: { NODE_ENV: string; INTERNAL_API_TOKEN?: string },
  ctx: z.RefinementCtx,
): void {
  if (config.NODE_ENV === 'production' && !config.INTERNAL_API_TOKEN) {
    ctx.addIssue({
      code: 'custom',
      path: ['INTERNAL_API_TOKEN'],
      message: 'required in production (a random secret of at least 16 characters)',
    });
  }
}
