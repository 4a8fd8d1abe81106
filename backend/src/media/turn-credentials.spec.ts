import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { IceServer } from '@engage/protocol';
import { IceServerIssuer, turnCredential } from './turn-credentials';
import { TurnProbe } from './turn-probe.testing';

// Vectors computed independently of this code:
//   printf '%s' '1700003600:agent-42@e1' | openssl dgst -sha1 -hmac 'north-wind-turn-secret' -binary | base64
const SECRET = 'north-wind-turn-secret';

describe('turnCredential (coturn use-auth-secret / TURN REST scheme)', () => {
  it('matches HMAC-SHA1 vectors computed with openssl', () => {
    expect(turnCredential(SECRET, 'agent-42@e1', 1_700_003_600)).toEqual({ username: '1700003600:agent-42@e1', credential: 'OSWFqTMm5SAh4oJkwwOgzOtrG1M=' });
    expect(turnCredential(SECRET, 'customer', 1_700_000_060)).toEqual({ username: '1700000060:customer', credential: 'PaAUipz9dXLAqgGMhK6GciaEqiA=' });
  });

  it('changes with the secret', () => {
    expect(turnCredential('another-secret-123', 'customer', 1_700_000_060).credential).not.toBe('PaAUipz9dXLAqgGMhK6GciaEqiA=');
  });
});

describe('IceServerIssuer.iceServersFor', () => {
  const stun = { urls: 'stun:stun.example.org:3478' };
  const now = new Date(1_700_000_000_500);

  it('hands out the static servers alone when no TURN is configured', () => {
    expect(new IceServerIssuer([stun], undefined).iceServersFor('customer', now)).toEqual([stun]);
    expect(new IceServerIssuer([], undefined).iceServersFor('customer', now)).toEqual([]);
  });

  it('adds the TURN URLs with a credential expiring TURN_TTL_S after now (whole seconds)', () => {
    const issuer = new IceServerIssuer([stun], { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], secret: SECRET, ttlS: 3600 });
    expect(issuer.iceServersFor('agent-42@e1', now)).toEqual([
      stun,
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: '1700003600:agent-42@e1', credential: 'OSWFqTMm5SAh4oJkwwOgzOtrG1M=' },
    ]);
    // A later join gets a later expiry, so a new credential.
    const later = issuer.iceServersFor('agent-42@e1', new Date(now.getTime() + 60_000))[1];
    expect(later.username).toBe('1700003660:agent-42@e1');
    expect(later.credential).not.toBe('OSWFqTMm5SAh4oJkwwOgzOtrG1M=');
  });

  it('keeps coturn’s separator out of the identity, and hands out copies', () => {
    const turn = { urls: ['turn:127.0.0.1:3478'], secret: SECRET, ttlS: 60 };
    const issuer = new IceServerIssuer([stun], turn);
    const servers = issuer.iceServersFor('a:b', now);
    expect(servers[1].username).toBe('1700000060:a_b');
    (servers[1].urls as string[]).push('turn:evil');
    (servers[0] as { urls: string }).urls = 'stun:evil';
    expect(issuer.iceServersFor('a:b', now)).toEqual([stun, { urls: ['turn:127.0.0.1:3478'], username: '1700000060:a_b', credential: 'WJdlT+EIRuuIZnIG/l9RQQ87B2c=' }]);
  });
});

// ───────── against a real coturn (Debian's `turnserver`, installed by tools/ensure-coturn.sh) ─────────

/**
 * Runs in a child Node (puppeteer-core is ESM-only, which this jest project does not load): opens
 * Chromium, and for each ICE server list gathers candidates with iceTransportPolicy 'relay'.
 */
const GATHER_SCRIPT = `
import puppeteer from 'puppeteer-core';
const { chromium, lists } = JSON.parse(process.argv[1]);
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage();
  const out = [];
  for (const servers of lists) {
    out.push(await page.evaluate(async (iceServers) => {
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      const relays = [];
      const errors = [];
      pc.onicecandidateerror = (e) => errors.push(e.errorCode + ' ' + e.errorText);
      const complete = new Promise((resolve) => {
        pc.onicecandidate = (e) => {
          if (!e.candidate) resolve();
          else if (e.candidate.type === 'relay') relays.push(e.candidate.address + ':' + e.candidate.port);
        };
      });
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await Promise.race([complete, new Promise((r) => setTimeout(r, 10000))]);
      pc.close();
      return { relays, errors };
    }, servers));
  }
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
}
`;

interface Gathered {
  relays: string[];
  errors: string[];
}

function gatherRelays(lists: IceServer[][]): Promise<Gathered[]> {
  const arg = JSON.stringify({ chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium', lists });
  const repoRoot = path.resolve(__dirname, '../../..');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', GATHER_SCRIPT, arg], { cwd: repoRoot, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`Chromium could not gather candidates: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Gathered[]);
    });
  });
}

describe('credentials from iceServersFor against a real coturn, used by Chromium', () => {
  const secret = 'real-coturn-secret-0123456789';
  let turn: ChildProcess | undefined;
  let dir = '';
  let log = '';
  let valid: Gathered;
  let wrongSecret: Gathered;
  let expired: Gathered;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engage-coturn-'));
    const port = await freePort();
    const bin = process.env.TURNSERVER_PATH || 'turnserver';
    turn = spawn(
      bin,
      [
        '-n', // no configuration file: only these options
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=engage.test',
        '--allow-loopback-peers',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--userdb=${path.join(dir, 'turndb')}`,
        `--pidfile=${path.join(dir, 'turnserver.pid')}`,
        '--log-file=stdout',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    turn.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    turn.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      turn?.once('error', (err) => reject(new Error(`coturn's turnserver could not be started (${err.message}); tools/ensure-coturn.sh installs Debian's coturn.`))),
    );
    await Promise.race([
      spawnError,
      waitForTcp(port, 10_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${log}`);
      }),
    ]);
    const urls = [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`];
    const now = new Date();
    [valid, wrongSecret, expired] = await gatherRelays([
      new IceServerIssuer([], { urls, secret, ttlS: 3600 }).iceServersFor('customer@e2e', now),
      new IceServerIssuer([], { urls, secret: 'not-the-coturn-secret', ttlS: 3600 }).iceServersFor('mallory', now),
      new IceServerIssuer([], { urls, secret, ttlS: 3600 }).iceServersFor('customer@old', new Date(now.getTime() - 2 * 3600_000)),
    ]);
  }, 60_000);

  afterAll(async () => {
    if (turn && turn.exitCode === null && turn.signalCode === null) {
      const exited = new Promise((r) => turn?.once('exit', r));
      turn.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gets a relay allocation with the credential handed out, over UDP and TCP', () => {
    expect(valid.errors).toEqual([]);
    // One relayed address per TURN URL, on coturn's relay IP.
    expect(valid.relays).toHaveLength(2);
    for (const r of valid.relays) expect(r).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('is refused (401) with a credential made from another secret', () => {
    expect(wrongSecret.relays).toEqual([]);
    expect(wrongSecret.errors.some((e) => e.startsWith('401'))).toBe(true);
  });

  it('is refused once the credential has expired', () => {
    expect(expired.relays).toEqual([]);
    expect(expired.errors.some((e) => e.startsWith('401'))).toBe(true);
  });
});

// ───────── the shipped docker/coturn/turnserver.conf, started the way compose starts it (entrypoint.sh) ─────────

describe('the shipped coturn configuration (docker/coturn), run by Debian’s coturn', () => {
  const repoRoot = path.resolve(__dirname, '../../..');
  const secret = 'shipped-config-secret-0123456789abcdef';
  let dir = '';
  const servers: Array<{ proc: ChildProcess; log: () => string }> = [];

  /** entrypoint.sh with the shipped file; only loopback listening (and, when asked, loopback peers) added as arguments. */
  async function startShipped(options: { loopbackPeers: boolean }): Promise<{ port: number; pid: number; log: () => string }> {
    const port = await freePort();
    const name = `${port}`;
    let log = '';
    const proc = spawn(
      'sh',
      [
        path.join(repoRoot, 'docker/coturn/entrypoint.sh'),
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        ...(options.loopbackPeers ? ['--allow-loopback-peers'] : []),
        `--userdb=${path.join(dir, `turndb-${name}`)}`,
        `--pidfile=${path.join(dir, `turnserver-${name}.pid`)}`,
      ],
      {
        env: {
          PATH: process.env.PATH,
          TURNSERVER_BIN: process.env.TURNSERVER_PATH || 'turnserver',
          TURN_SECRET_FILE: path.join(dir, 'turn_secret'),
          TURN_BASE_CONF: path.join(repoRoot, 'docker/coturn/turnserver.conf'),
          TURN_RENDERED_CONF: path.join(dir, `turnserver-${name}.conf`),
          RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
          TURN_REALM: 'engage.test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    servers.push({ proc, log: () => log });
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`coturn exited with ${code}:\n${log}`))));
    await Promise.race([exited, waitForTcp(port, 10_000).catch((err: Error) => Promise.reject(new Error(`${err.message}\n${log}`)))]);
    return { port, pid: proc.pid ?? 0, log: () => log };
  }

  let open: { port: number; pid: number; log: () => string };
  let strict: { port: number; log: () => string };
  let gathered: Gathered[];
  const cred = (s: string, identity: string, at: Date) => new IceServerIssuer([], { urls: ['turn:x'], secret: s, ttlS: 3600 }).iceServersFor(identity, at)[0];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engage-coturn-shipped-'));
    await writeFile(path.join(dir, 'turn_secret'), `${secret}\n`, { mode: 0o600 });
    open = await startShipped({ loopbackPeers: true });
    strict = await startShipped({ loopbackPeers: false });
    const urls = [`turn:127.0.0.1:${open.port}?transport=udp`, `turn:127.0.0.1:${open.port}?transport=tcp`];
    const now = new Date();
    gathered = await gatherRelays([
      new IceServerIssuer([], { urls, secret, ttlS: 3600 }).iceServersFor('customer@shipped', now),
      new IceServerIssuer([], { urls, secret: 'x'.repeat(40), ttlS: 3600 }).iceServersFor('mallory', now),
      new IceServerIssuer([], { urls, secret, ttlS: 3600 }).iceServersFor('customer@old', new Date(now.getTime() - 2 * 3600_000)),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const { proc } of servers) {
      if (proc.exitCode !== null || proc.signalCode !== null) continue;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('relays with a credential the backend hands out, on the relay ports the file names (49160–49999)', () => {
    const [valid] = gathered;
    expect(valid.errors).toEqual([]);
    expect(valid.relays).toHaveLength(2);
    for (const r of valid.relays) {
      const [ip, port] = r.split(':');
      expect(ip).toBe('127.0.0.1');
      expect(Number(port)).toBeGreaterThanOrEqual(49160);
      expect(Number(port)).toBeLessThanOrEqual(49999);
    }
  });

  it('refuses (401) a credential of another secret, and an expired one', () => {
    const [, wrong, expired] = gathered;
    expect(wrong.relays).toEqual([]);
    expect(wrong.errors.some((e) => e.startsWith('401'))).toBe(true);
    expect(expired.relays).toEqual([]);
    expect(expired.errors.some((e) => e.startsWith('401'))).toBe(true);
  });

  it('relays to the SFU’s address only: every other peer, public or private, is forbidden (403)', async () => {
    const c = cred(secret, 'agent-1@shipped', new Date());
    const probe = new TurnProbe('127.0.0.1', open.port, String(c.username), String(c.credential));
    try {
      expect(await probe.allocate()).toBe('success');
      expect(probe.relayed).toMatch(/^127\.0\.0\.1:\d+$/);
      // The SFU (RTC_ANNOUNCED_ADDRESS, rendered as allowed-peer-ip).
      expect(await probe.permit('127.0.0.1')).toBe('success');
      // Public addresses, private ranges, other loopback addresses: denied.
      for (const ip of ['8.8.8.8', '1.1.1.1', '10.1.2.3', '192.168.1.10', '172.16.0.5', '169.254.169.254', '127.0.0.2']) {
        expect({ ip, result: await probe.permit(ip) }).toEqual({ ip, result: 403 });
      }
    } finally {
      probe.close();
    }
  });

  it('refuses the loopback SFU address without allow-loopback-peers: allowed-peer-ip does not lift it', async () => {
    const c = cred(secret, 'agent-2@shipped', new Date());
    const probe = new TurnProbe('127.0.0.1', strict.port, String(c.username), String(c.credential));
    try {
      expect(await probe.allocate()).toBe('success');
      expect(await probe.permit('127.0.0.1')).toBe(403);
    } finally {
      probe.close();
    }
  });

  it('keeps the secret off the command line: it is in a config file only its owner reads', async () => {
    const cmdline = (await readFile(`/proc/${open.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline[0]).toMatch(/turnserver$/);
    expect(cmdline.join(' ')).not.toContain(secret);
    const rendered = cmdline[cmdline.indexOf('-c') + 1];
    expect((await stat(rendered)).mode & 0o777).toBe(0o600);
    expect(await readFile(rendered, 'utf8')).toMatch(new RegExp(`^static-auth-secret=${secret}$`, 'm'));
    expect(open.log()).not.toContain(secret);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`coturn did not listen on 127.0.0.1:${port} within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
