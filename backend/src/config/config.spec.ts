import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppConfig } from './app-config';
import { ConfigError, loadConfig } from './config.schema';
import { resolveJwtSecret } from './jwt-secret';

const dirs = { cwd: '/srv/app', repoRoot: '/repo' };

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const c = loadConfig({}, dirs);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.dataDir).toBe('/srv/app/.data');
    expect(c.pgPort).toBe(5433);
    // Both loopback spellings: the demo site and desk work from http://127.0.0.1 too.
    expect(c.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost:4300', 'http://127.0.0.1:4300']);
    expect(c.seedDemo).toBe(true);
    expect(c.staticDir).toBe('/repo/dist/frontend/desk/browser');
    expect(c.widgetFile).toBe('/repo/dist/widget/widget.js');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.writeQueueMax).toBe(2000);
  });

  it('turns calls on with SFU_URL and SFU_SECRET, and reads ICE_SERVERS as JSON', () => {
    expect(loadConfig({}, dirs)).toMatchObject({ sfu: undefined, iceServers: [] });
    const secret = 'x'.repeat(32);
    const c = loadConfig({ SFU_URL: 'http://127.0.0.1:3100/', SFU_SECRET: secret, ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]' }, dirs);
    expect(c.sfu).toEqual({ url: 'http://127.0.0.1:3100', secret });
    expect(c.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
  });

  it('refuses SFU_URL without its secret, a short secret, and bad ICE_SERVERS', () => {
    expect(() => loadConfig({ SFU_URL: 'http://127.0.0.1:3100' }, dirs)).toThrow(/SFU_SECRET/);
    expect(() => loadConfig({ SFU_URL: 'http://127.0.0.1:3100', SFU_SECRET: 'short' }, dirs)).toThrow(/SFU_SECRET must be at least 32/);
    expect(() => loadConfig({ ICE_SERVERS: 'stun:x' }, dirs)).toThrow(/ICE_SERVERS: it must be a JSON array/);
    expect(() => loadConfig({ ICE_SERVERS: '[{"urls":"http://x"}]' }, dirs)).toThrow(/ICE_SERVERS/);
  });

  it('reads TURN_URLS, TURN_SECRET and TURN_TTL_S next to ICE_SERVERS', () => {
    expect(loadConfig({}, dirs).turn).toBeUndefined();
    const secret = 't'.repeat(32);
    const c = loadConfig({ TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349,turn:[::1]:3478', TURN_SECRET: secret, ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]' }, dirs);
    expect(c.turn).toEqual({ urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349', 'turn:[::1]:3478'], secret, ttlS: 3600 });
    expect(c.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    expect(loadConfig({ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: secret, TURN_TTL_S: '600' }, dirs).turn).toEqual({ urls: ['turn:127.0.0.1'], secret, ttlS: 600 });
    expect(new AppConfig(loadConfig({ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: secret }, dirs)).describe().turn).toEqual({ urls: ['turn:127.0.0.1'], ttlS: 3600, secret: '(set)' });
  });

  it.each([
    [{ TURN_URLS: 'turn:127.0.0.1:3478' }, 'Invalid setting TURN_SECRET: it must be set when TURN_URLS is'],
    [{ TURN_SECRET: 's'.repeat(32) }, 'Invalid setting TURN_URLS: it must list the TURN server(s) when TURN_SECRET is set'],
    [{ TURN_URLS: 'stun:127.0.0.1:3478', TURN_SECRET: 's'.repeat(32) }, 'Invalid setting TURN_URLS: "stun:127.0.0.1:3478" is not a TURN URL'],
    [{ TURN_URLS: 'turn://127.0.0.1:3478', TURN_SECRET: 's'.repeat(32) }, 'Invalid setting TURN_URLS: "turn://127.0.0.1:3478" is not a TURN URL'],
    [{ TURN_URLS: 'turn:127.0.0.1:70000', TURN_SECRET: 's'.repeat(32) }, 'Invalid setting TURN_URLS: "turn:127.0.0.1:70000" is not a TURN URL'],
    [{ TURN_URLS: 'turn:127.0.0.1?transport=sctp', TURN_SECRET: 's'.repeat(32) }, 'is not a TURN URL'],
    [{ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: 'short-secret' }, 'Invalid setting TURN_SECRET: TURN_SECRET must be at least 32 characters long'],
    // What compose asks for too: 31 characters are refused.
    [{ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: 's'.repeat(31) }, 'Invalid setting TURN_SECRET: TURN_SECRET must be at least 32 characters long'],
    [{ TURN_TTL_S: '30' }, 'Invalid setting TURN_TTL_S: TURN_TTL_S must be at least 60 seconds'],
    [{ TURN_TTL_S: '100000' }, 'Invalid setting TURN_TTL_S: TURN_TTL_S must be at most 86400 seconds'],
    [{ TURN_TTL_S: 'soon' }, 'Invalid setting TURN_TTL_S: TURN_TTL_S must be a number'],
  ])('refuses the TURN setting %j with a sentence naming it', (env, message) => {
    expect(() => loadConfig(env, dirs)).toThrow(ConfigError);
    expect(() => loadConfig(env, dirs)).toThrow(message);
  });

  it('never echoes TURN_SECRET', () => {
    expect(() => loadConfig({ TURN_URLS: 'turn:127.0.0.1', TURN_SECRET: 'short-secret' }, dirs)).not.toThrow(/short-secret/);
  });

  it('reads PROXY_WORKERS as a comma list of ws URLs with PROXY_SECRET, and refuses what does not fit', () => {
    expect(loadConfig({}, dirs).proxy).toBeUndefined();
    const secret = 'p'.repeat(16);
    expect(loadConfig({ PROXY_WORKERS: 'ws://127.0.0.1:4310/control, ws://10.0.0.2:4310/control', PROXY_SECRET: secret }, dirs).proxy).toEqual({ workers: ['ws://127.0.0.1:4310/control', 'ws://10.0.0.2:4310/control'], secret });
    expect(() => loadConfig({ PROXY_WORKERS: 'ws://127.0.0.1:4310/control' }, dirs)).toThrow(/PROXY_SECRET: it must be set/);
    expect(() => loadConfig({ PROXY_WORKERS: 'http://127.0.0.1:4310', PROXY_SECRET: secret }, dirs)).toThrow(/PROXY_WORKERS: "http:\/\/127.0.0.1:4310" is not a ws/);
    expect(() => loadConfig({ PROXY_WORKERS: 'ws://127.0.0.1:4310/control', PROXY_SECRET: 'short' }, dirs)).toThrow(/PROXY_SECRET must be at least 16/);
  });

  it('derives PUBLIC_URL and origins from PORT and DEMO_SITE_PORT', () => {
    const c = loadConfig({ PORT: '3100', DEMO_SITE_PORT: '0' }, dirs);
    expect(c.publicUrl).toBe('http://localhost:3100');
    expect(c.allowedOrigins).toEqual(['http://localhost:3100', 'http://127.0.0.1:3100']);
  });

  it('parses lists, booleans and numbers', () => {
    const c = loadConfig(
      { ALLOWED_ORIGINS: 'https://a.example/, http://b.example:8080', SEED_DEMO: 'false', CHAT_BURST: '7', PUBLIC_URL: 'https://x.example/' },
      dirs,
    );
    expect(c.allowedOrigins).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(c.seedDemo).toBe(false);
    expect(c.chatBurst).toBe(7);
    expect(c.publicUrl).toBe('https://x.example');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO must be true or false/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32/],
    [{ ALLOWED_ORIGINS: 'not an origin' }, /ALLOWED_ORIGINS contains "not an origin"/],
    [{ INACTIVITY_TIMEOUT_S: '0' }, /INACTIVITY_TIMEOUT_S must be greater than 0/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL must be an http/],
  ])('refuses %j with a sentence naming the variable', (env, message) => {
    expect(() => loadConfig(env, dirs)).toThrow(ConfigError);
    expect(() => loadConfig(env, dirs)).toThrow(message);
  });
});

describe('document room settings', () => {
  it('defaults to the contract limits, 500 MB per engagement, 30 days, storage under DATA_DIR', () => {
    expect(loadConfig({}, dirs).documents).toEqual({
      maxUploadBytes: 50 * 1024 * 1024,
      maxVideoBytes: 200 * 1024 * 1024,
      quotaBytes: 500 * 1024 * 1024,
      retentionDays: 30,
      sweepIntervalS: 3600,
      conversionTimeoutS: 90,
      sofficePath: 'soffice',
      urlSecret: undefined,
      urlTtlS: 900,
      storageDir: '/srv/app/.data/documents',
    });
    expect(loadConfig({ DOC_RETENTION_DAYS: '0.5', DOC_QUOTA_BYTES: '1000' }, dirs).documents).toMatchObject({ retentionDays: 0.5, quotaBytes: 1000 });
  });

  it.each([
    [{ DOC_MAX_UPLOAD_BYTES: String(60 * 1024 * 1024) }, 'Invalid setting DOC_MAX_UPLOAD_BYTES: DOC_MAX_UPLOAD_BYTES may lower the upload limit'],
    [{ DOC_RETENTION_DAYS: '-1' }, 'Invalid setting DOC_RETENTION_DAYS: DOC_RETENTION_DAYS must be greater than 0'],
    [{ DOC_QUOTA_BYTES: 'lots' }, 'Invalid setting DOC_QUOTA_BYTES'],
    [{ DOC_URL_SECRET: 'short' }, 'DOC_URL_SECRET must be at least 32 characters long.'],
  ])('refuses %j with a sentence naming the variable', (env, message) => {
    expect(() => loadConfig(env, dirs)).toThrow(message);
  });

  it('never echoes DOC_URL_SECRET', () => {
    expect(() => loadConfig({ DOC_URL_SECRET: 'short' }, dirs)).not.toThrow(/short"/);
  });
});

describe('resolveJwtSecret', () => {
  it('generates once and then reuses the persisted secret', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-secret-'));
    try {
      const a = await resolveJwtSecret(undefined, dir);
      const b = await resolveJwtSecret(undefined, dir);
      expect(a).toHaveLength(64);
      expect(b).toBe(a);
      expect(await resolveJwtSecret('x'.repeat(40), dir)).toBe('x'.repeat(40));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
