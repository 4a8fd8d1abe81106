// The settings of the proxy worker: read from the environment here and nowhere else, validated at
// boot; a bad value stops the process with a sentence naming the variable.
import { accessSync, constants, existsSync } from 'node:fs';
import { z } from 'zod';
import { AllowList } from '../policy/url-policy';

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be between ${min} and ${max}`)
    .max(max, `${name} must be between ${min} and ${max}`);

/** The real Chromium binary: Debian's /usr/bin/chromium is a wrapper script that does not exec. */
function defaultChromium(): string {
  return existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';
}

export const envSchema = z.object({
  PROXY_PORT: int('PROXY_PORT', 0, 65535).default(4300),
  PROXY_HOST: z.string().trim().min(1, 'PROXY_HOST must not be empty').default('127.0.0.1'),
  PROXY_SECRET: z
    .string({ error: 'PROXY_SECRET is required (the secret shared with the backend)' })
    .min(16, 'PROXY_SECRET must be at least 16 characters'),
  CHROMIUM_PATH: z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((v) => v ?? defaultChromium())
    .refine((p) => {
      try {
        accessSync(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }, 'CHROMIUM_PATH must point to an executable Chromium binary'),
  MAX_SESSIONS: int('MAX_SESSIONS', 1, 200).default(4),
  WARM_POOL: int('WARM_POOL', 0, 20).default(1),
  PROXY_ALLOW: z
    .string()
    .default('')
    .transform((v, ctx) => {
      try {
        return AllowList.parse(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `PROXY_ALLOW: ${(err as Error).message} (expected a comma list of host:port)` });
        return z.NEVER;
      }
    }),
  UA_SUFFIX: z.string().max(64).default(' EngageProxy/1'),
  SESSION_MAX_MINUTES: int('SESSION_MAX_MINUTES', 1, 24 * 60).default(120),
  SESSION_MAX_HEAP_MB: int('SESSION_MAX_HEAP_MB', 16, 4096).default(384),
  RENDERER_HEAP_MB: int('RENDERER_HEAP_MB', 64, 8192).default(512),
  MAX_TABS: int('MAX_TABS', 1, 20).default(3),
  JPEG_QUALITY: int('JPEG_QUALITY', 10, 100).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.output<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  secret: string;
  chromiumPath: string;
  maxSessions: number;
  warmPool: number;
  allow: AllowList;
  uaSuffix: string;
  sessionMaxMs: number;
  sessionMaxHeapBytes: number;
  rendererHeapMb: number;
  maxTabs: number;
  jpegQuality: number;
  logLevel: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
  const e = parsed.data;
  if (e.SESSION_MAX_HEAP_MB >= e.RENDERER_HEAP_MB) {
    throw new ConfigError('SESSION_MAX_HEAP_MB must be below RENDERER_HEAP_MB, so a ballooning page is ended before V8 runs out');
  }
  return {
    port: e.PROXY_PORT,
    host: e.PROXY_HOST,
    secret: e.PROXY_SECRET,
    chromiumPath: e.CHROMIUM_PATH,
    maxSessions: e.MAX_SESSIONS,
    warmPool: e.WARM_POOL,
    allow: e.PROXY_ALLOW,
    uaSuffix: e.UA_SUFFIX,
    sessionMaxMs: e.SESSION_MAX_MINUTES * 60_000,
    sessionMaxHeapBytes: e.SESSION_MAX_HEAP_MB * 2 ** 20,
    rendererHeapMb: e.RENDERER_HEAP_MB,
    maxTabs: e.MAX_TABS,
    jpegQuality: e.JPEG_QUALITY,
    logLevel: e.LOG_LEVEL,
  };
}

/** The settings without the secret, for the boot log. */
export function describeConfig(c: Config): Record<string, unknown> {
  return { ...c, secret: '(set)', allow: `${c.allow.size} entries` };
}

/** The only place that reads process.env. A bad value stops the process with a sentence. */
export function readConfigFromEnvironment(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
