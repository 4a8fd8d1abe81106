import { loadConfig } from './config';

const base = { PROXY_SECRET: 'x'.repeat(32), CHROMIUM_PATH: process.execPath };

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ port: 4300, host: '127.0.0.1', maxSessions: 4, warmPool: 1, uaSuffix: ' EngageProxy/1', maxTabs: 3 });
    expect(c.allow.size).toBe(0);
  });
  it('parses the allow list', () => {
    expect(loadConfig({ ...base, PROXY_ALLOW: '127.0.0.1:4000,[::1]:5000' }).allow.has('127.0.0.1', 4000)).toBe(true);
  });
  it.each([
    [{ PROXY_SECRET: undefined }, /PROXY_SECRET is required/],
    [{ PROXY_SECRET: 'short' }, /at least 16/],
    [{ PROXY_PORT: 'abc' }, /PROXY_PORT must be a number/],
    [{ MAX_SESSIONS: '0' }, /MAX_SESSIONS must be between/],
    [{ CHROMIUM_PATH: '/nope/chromium' }, /CHROMIUM_PATH must point/],
    [{ PROXY_ALLOW: '127.0.0.1' }, /PROXY_ALLOW/],
    [{ SESSION_MAX_HEAP_MB: '600', RENDERER_HEAP_MB: '512' }, /below RENDERER_HEAP_MB/],
  ])('refuses %j', (patch, message) => expect(() => loadConfig({ ...base, ...patch })).toThrow(message));
});
