// The building blocks every node service validates its environment with, so that a bad setting
// reads the same in all of them: "Invalid setting NAME: why (got "value")."
import { z } from 'zod';

/** A setting that cannot be used; its message is the sentence(s) the process stops with. */
export class ConfigError extends Error {}

/** A TCP/UDP port, 0 included (0 = any free port, where the service allows it). */
export const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`);

/** A whole number above 0 (a count, a size, a number of seconds). */
export const positiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be greater than 0`);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: one of pino's level names. */
export const logLevel = (name = 'LOG_LEVEL') => z.enum(LOG_LEVELS, { error: `${name} must be one of ${LOG_LEVELS.join(', ')}` });

/**
 * Validates raw environment variables against `schema`. Empty strings count as unset (so that
 * `FOO=` falls back to the default). Throws ConfigError with one sentence per bad variable, quoting
 * what was given except for the variables named in `secrets`. Returns the parsed settings and the
 * cleaned variables (for settings read outside the schema).
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  opts: { secrets?: readonly string[] } = {},
): { data: z.output<S>; cleaned: Record<string, string> } {
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const secrets = new Set(opts.secrets ?? []);
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const got = secrets.has(name) ? undefined : cleaned[name];
      return `Invalid setting ${name}: ${i.message}${got !== undefined ? ` (got "${got}")` : ''}.`;
    });
    throw new ConfigError(lines.join(' '));
  }
  return { data: parsed.data, cleaned };
}
