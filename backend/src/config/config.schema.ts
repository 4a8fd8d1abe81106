import path from 'node:path';
import { DOC_LIMITS, type IceServer } from '@engage/protocol';
import { ConfigError, logLevel, parseEnv, port, positiveInt } from '@engage/config-env';
import { z } from 'zod';

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), `${name} must be true or false`)
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^/]+/.test(v) && URL.canParse(v), `${name} must be an http(s) URL such as http://localhost:3000`)
    .transform((v) => v.replace(/\/+$/, ''));

/** An origin, plus the same origin spelled with the other loopback name (localhost ↔ 127.0.0.1). */
function withLoopbackTwin(url: string): string[] {
  const u = new URL(url);
  const twin = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname === '127.0.0.1' ? 'localhost' : null;
  if (!twin) return [u.origin];
  const other = new URL(u.origin);
  other.hostname = twin;
  return [u.origin, other.origin];
}

/** Raw environment variables, as strings, with their defaults where they don't depend on others. */
export const envSchema = z.object({
  PORT: port('PORT').default(3000),
  HOST: z.string().trim().min(1, 'HOST must not be empty').default('127.0.0.1'),
  PUBLIC_URL: url('PUBLIC_URL').optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().trim().min(1, 'DATA_DIR must not be empty').optional(),
  PG_PORT: port('PG_PORT').default(5433),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters long').optional(),
  ALLOWED_ORIGINS: z.string().optional(),
  DEMO_SITE_PORT: port('DEMO_SITE_PORT').default(4300),
  INACTIVITY_TIMEOUT_S: positiveInt('INACTIVITY_TIMEOUT_S').default(900),
  CHAT_RATE_PER_S: positiveInt('CHAT_RATE_PER_S').default(50),
  CHAT_BURST: positiveInt('CHAT_BURST').default(100),
  WRITE_QUEUE_MAX: positiveInt('WRITE_QUEUE_MAX').default(2000),
  LOG_LEVEL: logLevel().default('info'),
  SEED_DEMO: bool('SEED_DEMO').default(true),
  STATIC_DIR: z.string().trim().min(1).optional(),
  WIDGET_FILE: z.string().trim().min(1).optional(),
  SFU_URL: url('SFU_URL').optional(),
  SFU_SECRET: z.string().min(32, 'SFU_SECRET must be at least 32 characters long (the bearer secret the SFU expects)').optional(),
  ICE_SERVERS: z.string().trim().optional(),
  TURN_URLS: z.string().trim().optional(),
  TURN_SECRET: z.string().min(32, 'TURN_SECRET must be at least 32 characters long (the static-auth-secret coturn was started with)').optional(),
  TURN_TTL_S: positiveInt('TURN_TTL_S')
    .min(60, 'TURN_TTL_S must be at least 60 seconds (a call needs its credentials for longer than its set-up)')
    .max(86_400, 'TURN_TTL_S must be at most 86400 seconds (one day); credentials are handed out again at every join')
    .default(3600),
  PROXY_WORKERS: z.string().trim().optional(),
  PROXY_SECRET: z.string().min(16, 'PROXY_SECRET must be at least 16 characters long (the bearer secret the proxy workers expect)').optional(),
  DOC_MAX_UPLOAD_BYTES: positiveInt('DOC_MAX_UPLOAD_BYTES')
    .max(DOC_LIMITS.uploadMaxBytes, `DOC_MAX_UPLOAD_BYTES may lower the upload limit, not raise it above ${DOC_LIMITS.uploadMaxBytes} bytes`)
    .default(DOC_LIMITS.uploadMaxBytes),
  DOC_MAX_VIDEO_BYTES: positiveInt('DOC_MAX_VIDEO_BYTES')
    .max(DOC_LIMITS.videoMaxBytes, `DOC_MAX_VIDEO_BYTES may lower the video limit, not raise it above ${DOC_LIMITS.videoMaxBytes} bytes`)
    .default(DOC_LIMITS.videoMaxBytes),
  DOC_QUOTA_BYTES: positiveInt('DOC_QUOTA_BYTES').default(500 * 1024 * 1024),
  DOC_RETENTION_DAYS: z.coerce.number({ error: 'DOC_RETENTION_DAYS must be a number' }).positive('DOC_RETENTION_DAYS must be greater than 0').default(30),
  DOC_SWEEP_INTERVAL_S: positiveInt('DOC_SWEEP_INTERVAL_S').default(3600),
  DOC_CONVERSION_TIMEOUT_S: positiveInt('DOC_CONVERSION_TIMEOUT_S').default(90),
  SOFFICE_PATH: z.string().trim().min(1, 'SOFFICE_PATH must not be empty').default('soffice'),
  DOC_URL_SECRET: z.string().min(32, 'DOC_URL_SECRET must be at least 32 characters long').optional(),
  DOC_URL_TTL_S: positiveInt('DOC_URL_TTL_S').default(900),
});

export type LogLevel = z.infer<typeof envSchema>['LOG_LEVEL'];

/** The validated settings of the backend, with every default resolved. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** External PostgreSQL; undefined = start the embedded one. */
  databaseUrl: string | undefined;
  dataDir: string;
  pgPort: number;
  /** undefined = generate one and keep it in DATA_DIR/jwt-secret. */
  jwtSecret: string | undefined;
  allowedOrigins: string[];
  demoSitePort: number;
  inactivityTimeoutS: number;
  chatRatePerS: number;
  chatBurst: number;
  writeQueueMax: number;
  logLevel: LogLevel;
  seedDemo: boolean;
  staticDir: string;
  widgetFile: string;
  /** The SFU's control API and its bearer secret; undefined = calls are unavailable. */
  sfu: { url: string; secret: string } | undefined;
  /** Handed to browsers for their WebRTC transports as they are (static STUN, or TURN with fixed credentials). */
  iceServers: IceServer[];
  /** TURN with time-limited credentials (coturn's use-auth-secret): handed out per join; undefined = none. */
  turn: TurnConfig | undefined;
  /** Control channels of the proxy workers (ws://host:port/control) and their bearer secret; undefined = proxy co-browse unavailable. */
  proxy: { workers: string[]; secret: string } | undefined;
  /** The document room: upload limits, quota, retention, office conversion, signed content URLs. */
  documents: DocumentsConfig;
}

export interface TurnConfig {
  /** turn: and turns: URLs of the TURN server(s) sharing `secret`. */
  urls: string[];
  /** coturn's static-auth-secret: the HMAC key of the credentials. */
  secret: string;
  /** How long a handed-out credential stays valid. */
  ttlS: number;
}

export interface DocumentsConfig {
  maxUploadBytes: number;
  maxVideoBytes: number;
  /** Bytes stored per engagement (originals and rendered variants). */
  quotaBytes: number;
  /** Documents of engagements ended longer ago than this are deleted. */
  retentionDays: number;
  sweepIntervalS: number;
  conversionTimeoutS: number;
  sofficePath: string;
  /** HMAC key of content URLs; undefined = derived from the JWT secret. */
  urlSecret: string | undefined;
  urlTtlS: number;
  /** Where LocalDiskStorage keeps the bytes. */
  storageDir: string;
}

export { ConfigError };

const iceServersSchema = z.array(
  z.object({
    urls: z.union([z.string().regex(/^(stun|stuns|turn|turns):/), z.array(z.string().regex(/^(stun|stuns|turn|turns):/)).min(1)]),
    username: z.string().optional(),
    credential: z.string().optional(),
  }),
);

/** ICE_SERVERS: a JSON array of RTCIceServer objects, e.g. [{"urls":"stun:stun.example.org:3478"}]; empty by default. */
function parseIceServers(raw: string | undefined): IceServer[] {
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError('Invalid setting ICE_SERVERS: it must be a JSON array such as [{"urls":"stun:stun.example.org:3478"}].');
  }
  const parsed = iceServersSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError('Invalid setting ICE_SERVERS: every entry needs "urls" starting with stun:, stuns:, turn: or turns:.');
  return parsed.data;
}

/** TURN_URLS: a comma list of turn:/turns: URLs (RFC 7065), e.g. turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349. */
function parseTurnUrls(raw: string | undefined): string[] {
  if (!raw) return [];
  const urls = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of urls) {
    const m = /^turns?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(\?transport=(udp|tcp))?$/.exec(u);
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
      throw new ConfigError(`Invalid setting TURN_URLS: "${u}" is not a TURN URL such as turn:turn.example.org:3478?transport=udp or turns:turn.example.org:5349.`);
    }
  }
  return [...new Set(urls)];
}

/** PROXY_WORKERS: a comma list of ws(s) URLs of proxy workers' control channels, e.g. ws://127.0.0.1:4310/control. */
function parseProxyWorkers(raw: string | undefined): string[] {
  if (!raw) return [];
  const urls = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of urls) {
    if (!/^wss?:\/\/[^/]+/.test(u) || !URL.canParse(u)) throw new ConfigError(`Invalid setting PROXY_WORKERS: "${u}" is not a ws:// or wss:// URL such as ws://127.0.0.1:4310/control.`);
  }
  return [...new Set(urls)];
}

function origin(value: string, name: string): string {
  if (!URL.canParse(value)) throw new ConfigError(`${name} contains "${value}", which is not an origin such as http://localhost:4300.`);
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${name} contains "${value}", which is not an http(s) origin.`);
  return u.origin;
}

/**
 * Validates environment variables into a Config. Pure: `cwd` and `repoRoot` anchor relative paths.
 * Throws ConfigError with one sentence per bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>, dirs: { cwd: string; repoRoot: string }): Config {
  // Secrets are never echoed back.
  const { data: e } = parseEnv(envSchema, env, { secrets: ['SFU_SECRET', 'JWT_SECRET', 'PROXY_SECRET', 'DOC_URL_SECRET', 'TURN_SECRET'] });
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const allowedOrigins = e.ALLOWED_ORIGINS
    ? e.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean).map((s) => origin(s, 'ALLOWED_ORIGINS'))
    : [...withLoopbackTwin(publicUrl), ...(e.DEMO_SITE_PORT > 0 ? withLoopbackTwin(`http://localhost:${e.DEMO_SITE_PORT}`) : [])];
  if (e.DATABASE_URL === undefined && e.PG_PORT === 0) throw new ConfigError('Invalid setting PG_PORT: the embedded PostgreSQL needs a port above 0.');
  if (e.SFU_URL && !e.SFU_SECRET) throw new ConfigError('Invalid setting SFU_SECRET: it must be set when SFU_URL is (the secret the SFU was started with).');
  const iceServers = parseIceServers(e.ICE_SERVERS);
  const turnUrls = parseTurnUrls(e.TURN_URLS);
  if (turnUrls.length > 0 && !e.TURN_SECRET) throw new ConfigError('Invalid setting TURN_SECRET: it must be set when TURN_URLS is (the static-auth-secret of the TURN server).');
  if (e.TURN_SECRET && turnUrls.length === 0) throw new ConfigError('Invalid setting TURN_URLS: it must list the TURN server(s) when TURN_SECRET is set, such as turn:turn.example.org:3478.');
  const proxyWorkers = parseProxyWorkers(e.PROXY_WORKERS);
  if (proxyWorkers.length > 0 && !e.PROXY_SECRET) throw new ConfigError('Invalid setting PROXY_SECRET: it must be set when PROXY_WORKERS is (the secret the proxy workers were started with).');
  if (e.PORT === e.DEMO_SITE_PORT) throw new ConfigError(`Invalid setting DEMO_SITE_PORT: it equals PORT (${e.PORT}); use another port or 0 to turn the demo site off.`);
  const dataDir = path.resolve(dirs.cwd, e.DATA_DIR ?? '.data');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    pgPort: e.PG_PORT,
    jwtSecret: e.JWT_SECRET,
    allowedOrigins: [...new Set(allowedOrigins)],
    demoSitePort: e.DEMO_SITE_PORT,
    inactivityTimeoutS: e.INACTIVITY_TIMEOUT_S,
    chatRatePerS: e.CHAT_RATE_PER_S,
    chatBurst: e.CHAT_BURST,
    writeQueueMax: e.WRITE_QUEUE_MAX,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
    staticDir: path.resolve(dirs.repoRoot, e.STATIC_DIR ?? 'dist/frontend/desk/browser'),
    widgetFile: path.resolve(dirs.repoRoot, e.WIDGET_FILE ?? 'dist/widget/widget.js'),
    sfu: e.SFU_URL && e.SFU_SECRET ? { url: e.SFU_URL, secret: e.SFU_SECRET } : undefined,
    iceServers,
    turn: turnUrls.length > 0 && e.TURN_SECRET ? { urls: turnUrls, secret: e.TURN_SECRET, ttlS: e.TURN_TTL_S } : undefined,
    proxy: proxyWorkers.length > 0 && e.PROXY_SECRET ? { workers: proxyWorkers, secret: e.PROXY_SECRET } : undefined,
    documents: {
      maxUploadBytes: e.DOC_MAX_UPLOAD_BYTES,
      maxVideoBytes: e.DOC_MAX_VIDEO_BYTES,
      quotaBytes: e.DOC_QUOTA_BYTES,
      retentionDays: e.DOC_RETENTION_DAYS,
      sweepIntervalS: e.DOC_SWEEP_INTERVAL_S,
      conversionTimeoutS: e.DOC_CONVERSION_TIMEOUT_S,
      sofficePath: e.SOFFICE_PATH,
      urlSecret: e.DOC_URL_SECRET,
      urlTtlS: e.DOC_URL_TTL_S,
      storageDir: path.join(dataDir, 'documents'),
    },
  };
}
