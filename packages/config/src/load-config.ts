import { z } from 'zod';
import { KhiwError } from '@khiw/errors';

/** One setting the environment got wrong, in a CONFIG_INVALID error's `details.issues`. */
export interface ConfigIssue {
  setting: string;
  message: string;
}

/**
 * Parses the environment once against a zod object whose keys are the environment variable
 * names. Unknown variables are ignored; a missing or wrong one is reported by name: a
 * KhiwError CONFIG_INVALID whose message lists every bad setting and whose `details.issues`
 * holds them as ConfigIssue.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    setting: issue.path.join('.') || '(environment)',
    message: issue.message,
  }));
  throw new KhiwError(
    'CONFIG_INVALID',
    `Invalid configuration:\n${issues.map((i) => `  - ${i.setting}: ${i.message}`).join('\n')}`,
    { details: { issues } },
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
    if (KhiwError.is(error, 'CONFIG_INVALID')) {
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
