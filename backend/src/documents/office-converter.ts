import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DocumentError } from '../common/errors';
import { createLogger } from '../common/logger';

/**
 * The office profile every conversion starts from: links are never updated (no linked images,
 * sections or external references fetched, local files included), untrusted referer links are
 * blocked, macros never run.
 */
const PROFILE_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
`;

/** How soffice is kept off the network: its own network namespace. */
export type Isolation = { argv: string[] } | { refused: string };

/** Probes once how to run a command without network: `unshare -n` (root), else `unshare -rn`. */
export function probeIsolation(): Isolation {
  for (const argv of [['unshare', '-n'], ['unshare', '-rn']]) {
    const r = spawnSync(argv[0], [...argv.slice(1), 'true'], { timeout: 5000, stdio: 'ignore' });
    if (r.status === 0) return { argv };
  }
  return { refused: 'the converter cannot be cut off from the network on this server (unshare is not permitted)' };
}

export interface ConverterOptions {
  sofficePath: string;
  timeoutMs: number;
  isolation?: Isolation;
}

const EXTENSION: Record<string, string> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/msword': 'doc',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.ms-excel': 'xls',
};

/**
 * Office → PDF with LibreOffice headless: one conversion at a time (a queue), each with its own
 * profile, in its own network namespace, killed (its whole process group) after the timeout.
 */
export class OfficeConverter {
  private readonly log = createLogger('office');
  private tail: Promise<unknown> = Promise.resolve();
  private isolation: Isolation | undefined;
  private closed = false;
  private readonly running = new Set<number>();

  constructor(private readonly opts: ConverterOptions) {
    this.isolation = opts.isolation;
  }

  /** Converts `input` (of type `mime`, flat ODF when its bytes are XML) to a PDF file; resolves its path (the caller removes `dir`). */
  convert(input: string, mime: string, flatXml: boolean): Promise<{ pdf: string; dir: string; ms: number }> {
    const job = this.tail.then(() => this.run(input, mime, flatXml));
    this.tail = job.catch(() => undefined);
    return job;
  }

  /** Kills a conversion in progress; later ones are refused. */
  close(): void {
    this.closed = true;
    for (const pid of this.running) killGroup(pid);
  }

  private async run(input: string, mime: string, flatXml: boolean): Promise<{ pdf: string; dir: string; ms: number }> {
    if (this.closed) throw new DocumentError('conversion_failed', 'The server is shutting down; upload the file again later.');
    this.isolation ??= probeIsolation();
    if ('refused' in this.isolation) throw new DocumentError('conversion_failed', `This office file cannot be converted safely: the converter must run without network access, and ${this.isolation.refused}. Upload it as a PDF instead.`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-office-'));
    const started = performance.now();
    try {
      const profile = path.join(dir, 'profile');
      await mkdir(path.join(profile, 'user'), { recursive: true });
      await writeFile(path.join(profile, 'user', 'registrymodifications.xcu'), PROFILE_SETTINGS);
      const ext = flatXml ? `f${EXTENSION[mime] ?? 'odt'}` : (EXTENSION[mime] ?? 'bin');
      const source = path.join(dir, `document.${ext}`);
      await copyFile(input, source);
      const out = path.join(dir, 'out');
      await mkdir(out);
      const args = [
        ...this.isolation.argv.slice(1),
        this.opts.sofficePath,
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--invisible',
        '--norestore',
        '--nolockcheck',
        '--nodefault',
        '--nologo',
        '--convert-to',
        'pdf',
        '--outdir',
        out,
        source,
      ];
      const code = await this.spawnWithTimeout(this.isolation.argv[0], args, dir);
      const produced = (await readdir(out)).find((f) => f.endsWith('.pdf'));
      if (code === 'timeout') throw new DocumentError('conversion_failed', `Converting this office file took longer than ${Math.round(this.opts.timeoutMs / 1000)} seconds; it was stopped. Upload it as a PDF instead.`);
      if (code !== 0 || !produced) throw new DocumentError('conversion_failed', 'LibreOffice could not convert this office file (it may be damaged or protected). Upload it as a PDF instead.');
      const ms = Math.round(performance.now() - started);
      this.log.info({ mime, ms }, 'converted');
      return { pdf: path.join(out, produced), dir, ms };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private spawnWithTimeout(cmd: string, args: string[], cwd: string): Promise<number | 'timeout'> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { cwd, detached: true, stdio: 'ignore', env: CONVERTER_ENV(cwd) });
      let timedOut = false;
      const pid = child.pid;
      if (pid !== undefined) this.running.add(pid);
      const timer = setTimeout(() => {
        timedOut = true;
        if (pid !== undefined) killGroup(pid);
      }, this.opts.timeoutMs);
      const done = (code: number | null) => {
        clearTimeout(timer);
        if (pid !== undefined) {
          this.running.delete(pid);
          // Whatever soffice left behind in its group goes too.
          killGroup(pid);
        }
        resolve(timedOut ? 'timeout' : (code ?? 1));
      };
      child.on('error', () => done(127));
      child.on('exit', (code) => done(code));
    });
  }
}

/** A minimal environment: none of the server's secrets reach the converter. */
const CONVERTER_ENV = (home: string) => ({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', SAL_USE_VCLPLUGIN: 'svp' });

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
