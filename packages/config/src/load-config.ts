import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's config schema; names every bad setting. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: { setting: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.setting}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a zod object whose keys are the environment variable
 * names. Unknown variables are ignored; a missing or wrong one is reported by name.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      setting: issue.path.join('.') || '(environment)',
      message: issue.message,
    })),
  );
}

/**
 * For `main.ts`: parse, or print the named settings and exit 78 (EX_CONFIG) before anything
 * is connected. Plain stderr on purpose: the logger itself is configured from this result.
 */
export function loadConfigOrExit<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

const SECRET_KEY = /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|PEPPER)/i;

/** The config with secrets (and credentials inside URLs) replaced, safe to log at start-up. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      if (SECRET_KEY.test(key)) return [key, '[redacted]'];
      if (typeof value === 'string' && /^[a-z]+:\/\/[^/]*:[^/]*@/i.test(value)) {
        return [key, value.replace(/\/\/([^:/]*):[^@/]*@/, '//$1:[redacted]@')];
      }
      return [key, value];
    }),
  );
}
