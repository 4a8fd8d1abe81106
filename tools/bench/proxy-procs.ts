// Processes of the proxy co-browse benchmark: the built proxy worker as its own process, and what
// /proc says about a process tree (PSS from smaps_rollup, CPU ticks from stat). Debian's
// /usr/bin/chromium is a shell wrapper that does not exec, so trees are rooted at the real binary.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const PROXY_MAIN = path.join(ROOT, 'dist/node/proxy-worker/src/main.js');
const TICKS_PER_S = 100; // USER_HZ on Linux

export interface WorkerProcess {
  control: string;
  health: string;
  proc: ChildProcess;
  /** The worker's Chromium (the real binary), root of its renderer tree. */
  browserPid: number;
  stop(): Promise<void>;
}

export async function startProxyWorker(env: { secret: string; allow: string; maxSessions: number; warmPool: number }): Promise<WorkerProcess> {
  let out = '';
  const proc = spawn(process.execPath, [PROXY_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      PROXY_PORT: '0',
      PROXY_HOST: '127.0.0.1',
      PROXY_SECRET: env.secret,
      PROXY_ALLOW: env.allow,
      MAX_SESSIONS: String(env.maxSessions),
      WARM_POOL: String(env.warmPool),
      LOG_LEVEL: 'warn',
      ...(process.env.CHROMIUM_PATH ? { CHROMIUM_PATH: process.env.CHROMIUM_PATH } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = await new Promise<{ host: string; port: number; control: string; browserPid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy worker did not become ready in 30 s:\n${out.slice(-3000)}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^READY (.*)$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]) as { host: string; port: number; control: string; browserPid: number });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy worker exited with ${code} before it was ready:\n${out.slice(-3000)}`));
    });
  });
  return {
    control: ready.control,
    health: `http://${ready.host}:${ready.port}/health`,
    proc,
    browserPid: ready.browserPid,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** pid → parent pid of every process now. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // comm may hold spaces and parentheses: fields after the last ')'
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(e), Number(rest[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The process and all its descendants. */
export function treePids(root: number): number[] {
  const pp = parents();
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = pp.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...pp.keys()].filter(inTree);
}

/** Proportional set size of a tree, bytes (shared pages split between the processes that map them). */
export function pssBytes(root: number): number {
  let kb = 0;
  for (const pid of treePids(root)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone meanwhile
    }
  }
  return kb * 1024;
}

/** CPU seconds (user + system) used so far by the processes of a tree that are alive now. */
function cpuSeconds(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat: 12th and 13th after the comm
      out.set(pid, (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Starts counting the CPU time of each named process (with its descendants when `tree`);
 *  `stop()` answers % of one core over the span, per name. */
export function cpuMeter(roots: Record<string, { pid: number | undefined; tree: boolean }>): { stop(): Record<string, number> } {
  const t0 = performance.now();
  const pids = ({ pid, tree }: { pid: number | undefined; tree: boolean }) => (!pid ? [] : tree ? treePids(pid) : [pid]);
  const before: Record<string, Map<number, number>> = {};
  for (const [k, r] of Object.entries(roots)) before[k] = cpuSeconds(pids(r));
  return {
    stop() {
      const s = (performance.now() - t0) / 1000;
      const out: Record<string, number> = {};
      for (const [k, r] of Object.entries(roots)) {
        if (!r.pid) continue;
        const after = cpuSeconds(pids(r));
        let used = 0;
        // processes born during the span count from zero; those that ended are lost (short-lived helpers)
        for (const [pid, sec] of after) used += sec - (before[k].get(pid) ?? 0);
        out[k] = (used / s) * 100;
      }
      return out;
    },
  };
}
