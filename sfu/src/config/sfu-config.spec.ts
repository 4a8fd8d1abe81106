import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, MEDIASOUP_VERSION, describeConfig, loadConfig, resolveWorkerBin } from './sfu-config';

const secret = 'x'.repeat(32);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sfu-config-'));
const fakeBin = path.join(tmp, 'mediasoup-worker');
writeFileSync(fakeBin, '#!/bin/sh\n');
chmodSync(fakeBin, 0o755);
// A repo root without node_modules/mediasoup/worker/out, so the prebuilt path never matches.
const dirs = { repoRoot: tmp, cores: 3 };
const base = { SFU_SECRET: secret, MEDIASOUP_WORKER_BIN: fakeBin };

describe('sfu config', () => {
  it('applies the defaults', () => {
    const c = loadConfig(base, dirs);
    expect(c).toEqual({
      port: 3100,
      host: '127.0.0.1',
      secret,
      rtcListenIp: '127.0.0.1',
      rtcAnnouncedAddress: undefined,
      rtcMinPort: 40000,
      rtcMaxPort: 49999,
      workers: 3,
      maxConsumersPerWorker: 300,
      workerBin: fakeBin,
      logLevel: 'info',
    });
    expect(describeConfig(c)['secret']).toBe('(set)');
  });

  it('reads every variable', () => {
    const c = loadConfig(
      { ...base, SFU_PORT: '0', SFU_HOST: '0.0.0.0', RTC_LISTEN_IP: '10.0.0.5', RTC_ANNOUNCED_ADDRESS: 'media.example.com', RTC_MIN_PORT: '50000', RTC_MAX_PORT: '50010', WORKERS: '2', LOG_LEVEL: 'debug', SFU_MAX_CONSUMERS_PER_WORKER: '450' },
      dirs,
    );
    expect(c).toMatchObject({ port: 0, host: '0.0.0.0', rtcListenIp: '10.0.0.5', rtcAnnouncedAddress: 'media.example.com', rtcMinPort: 50000, rtcMaxPort: 50010, workers: 2, logLevel: 'debug', maxConsumersPerWorker: 450 });
  });

  it.each([
    [{ SFU_SECRET: undefined }, /SFU_SECRET must be set/],
    [{ SFU_SECRET: 'short' }, /SFU_SECRET must be at least 32 characters/],
    [{ SFU_PORT: 'abc' }, /Invalid setting SFU_PORT: SFU_PORT must be a port number \(got "abc"\)/],
    [{ RTC_LISTEN_IP: 'localhost' }, /RTC_LISTEN_IP must be an IPv4 or IPv6 address/],
    [{ RTC_MIN_PORT: '5000', RTC_MAX_PORT: '4000' }, /RTC_MIN_PORT: 5000 is above RTC_MAX_PORT \(4000\)/],
    [{ WORKERS: '0' }, /WORKERS must be greater than 0/],
    [{ SFU_MAX_CONSUMERS_PER_WORKER: '-5' }, /SFU_MAX_CONSUMERS_PER_WORKER must be greater than 0/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' }, /MEDIASOUP_WORKER_BIN: "\/nonexistent\/mediasoup-worker" is not an executable file/],
  ])('rejects %j with a sentence', (override, message) => {
    expect(() => loadConfig({ ...base, ...override }, dirs)).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...override }, dirs)).toThrow(message);
  });

  it('never echoes the secret in an error', () => {
    expect(() => loadConfig({ ...base, SFU_SECRET: 'hunter2' }, dirs)).toThrow(/^(?!.*hunter2)/);
  });

  describe('worker binary', () => {
    it('falls back to the cached offline build', () => {
      const cache = mkdtempSync(path.join(os.tmpdir(), 'sfu-cache-'));
      const dir = path.join(cache, `mediasoup-worker-${MEDIASOUP_VERSION}-ossl`);
      mkdirSync(dir);
      const bin = path.join(dir, 'mediasoup-worker');
      writeFileSync(bin, '#!/bin/sh\n');
      chmodSync(bin, 0o755);
      expect(resolveWorkerBin({ ENGAGE_CACHE: cache }, tmp)).toBe(bin);
    });

    it('tells how to build one when none exists', () => {
      expect(() => resolveWorkerBin({ ENGAGE_CACHE: path.join(tmp, 'empty') }, tmp)).toThrow(/run "bash tools\/build-mediasoup-worker.sh"/);
    });
  });
});
