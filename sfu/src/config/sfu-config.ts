import { accessSync, constants, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError, logLevel, parseEnv, port, positiveInt } from '@engage/config-env';
import { z } from 'zod';

/** The mediasoup version whose worker tools/build-mediasoup-worker.sh builds and caches. */
export const MEDIASOUP_VERSION = '3.16.0';

/** Raw environment variables, as strings, with their defaults where they don't depend on others. */
export const envSchema = z.object({
  SFU_PORT: port('SFU_PORT').default(3100),
  SFU_HOST: z.string().trim().min(1, 'SFU_HOST must not be empty').default('127.0.0.1'),
  SFU_SECRET: z
    .string({ error: 'SFU_SECRET must be set (the secret the backend sends as "Authorization: Bearer <secret>")' })
    .min(32, 'SFU_SECRET must be at least 32 characters long'),
  RTC_LISTEN_IP: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0, 'RTC_LISTEN_IP must be an IPv4 or IPv6 address such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  RTC_ANNOUNCED_ADDRESS: z.string().trim().min(1).optional(),
  RTC_MIN_PORT: port('RTC_MIN_PORT').default(40000),
  RTC_MAX_PORT: port('RTC_MAX_PORT').default(49999),
  WORKERS: positiveInt('WORKERS').optional(),
  /**
   * Load one worker takes before new consumers are refused, in video-consumer units (an audio
   * consumer counts AUDIO_CONSUMER_WEIGHT). `npm run bench -- sfu` measures what one core carries.
   */
  SFU_MAX_CONSUMERS_PER_WORKER: positiveInt('SFU_MAX_CONSUMERS_PER_WORKER').default(300),
  MEDIASOUP_WORKER_BIN: z.string().trim().min(1).optional(),
  ENGAGE_CACHE: z.string().trim().min(1).optional(),
  HOME: z.string().optional(),
  LOG_LEVEL: logLevel().default('info'),
});

export type LogLevel = z.infer<typeof envSchema>['LOG_LEVEL'];

/** The validated settings of the SFU, with every default resolved. */
export interface SfuConfig {
  /** Port of the control API (0 = any free port; the READY line tells which). */
  port: number;
  host: string;
  /** Shared with the backend, the only caller of the control API. */
  secret: string;
  rtcListenIp: string;
  /** Address put in ICE candidates instead of rtcListenIp (NAT, containers); undefined = rtcListenIp. */
  rtcAnnouncedAddress: string | undefined;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Number of mediasoup workers (one per core by default). */
  workers: number;
  /** Load (video-consumer units) one worker carries before new consumers are refused. */
  maxConsumersPerWorker: number;
  /** Worker binary to run; undefined = mediasoup's own prebuilt one (node_modules/mediasoup/worker/out). */
  workerBin: string | undefined;
  logLevel: LogLevel;
}

export { ConfigError };

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which worker binary to run: MEDIASOUP_WORKER_BIN when set (it must be executable), else the
 * prebuilt one mediasoup's postinstall downloads, else the offline build that
 * tools/build-mediasoup-worker.sh caches. undefined when none exists.
 */
export function resolveWorkerBin(env: Record<string, string | undefined>, repoRoot: string): string | undefined {
  const configured = env['MEDIASOUP_WORKER_BIN']?.trim();
  if (configured) {
    if (!executable(configured)) throw new ConfigError(`Invalid setting MEDIASOUP_WORKER_BIN: "${configured}" is not an executable file.`);
    return configured;
  }
  const prebuilt = path.join(repoRoot, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');
  if (existsSync(prebuilt)) return undefined;
  const cacheRoot = env['ENGAGE_CACHE']?.trim() || path.join(env['HOME'] || '/root', '.cache', 'engage');
  const cached = path.join(cacheRoot, `mediasoup-worker-${MEDIASOUP_VERSION}-ossl`, 'mediasoup-worker'); // -ossl: libsrtp with OpenSSL crypto
  if (executable(cached)) return cached;
  throw new ConfigError(
    `No mediasoup worker binary: neither MEDIASOUP_WORKER_BIN nor ${prebuilt} nor ${cached} exists; run "bash tools/build-mediasoup-worker.sh" to build it.`,
  );
}

/**
 * Validates environment variables into an SfuConfig. Pure apart from looking at the worker binary.
 * Throws ConfigError with one sentence per bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>, dirs: { repoRoot: string; cores: number }): SfuConfig {
  const { data: e, cleaned } = parseEnv(envSchema, env, { secrets: ['SFU_SECRET'] });
  if (e.RTC_MIN_PORT === 0 || e.RTC_MAX_PORT === 0) throw new ConfigError('Invalid setting RTC_MIN_PORT/RTC_MAX_PORT: media ports must be above 0.');
  if (e.RTC_MIN_PORT > e.RTC_MAX_PORT) {
    throw new ConfigError(`Invalid setting RTC_MIN_PORT: ${e.RTC_MIN_PORT} is above RTC_MAX_PORT (${e.RTC_MAX_PORT}).`);
  }
  const workers = e.WORKERS ?? Math.max(1, dirs.cores);
  return {
    port: e.SFU_PORT,
    host: e.SFU_HOST,
    secret: e.SFU_SECRET,
    rtcListenIp: e.RTC_LISTEN_IP,
    rtcAnnouncedAddress: e.RTC_ANNOUNCED_ADDRESS,
    rtcMinPort: e.RTC_MIN_PORT,
    rtcMaxPort: e.RTC_MAX_PORT,
    workers,
    maxConsumersPerWorker: e.SFU_MAX_CONSUMERS_PER_WORKER,
    workerBin: resolveWorkerBin(cleaned, dirs.repoRoot),
    logLevel: e.LOG_LEVEL,
  };
}

/** The resolved settings without secrets, for the boot log. */
export function describeConfig(config: SfuConfig): Record<string, unknown> {
  return { ...config, secret: '(set)', workerBin: config.workerBin ?? '(mediasoup prebuilt)' };
}
