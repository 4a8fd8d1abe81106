import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { DocumentError } from '../common/errors';

/** What poppler's pdfinfo says of a PDF. */
export interface PdfInfo {
  pages: number;
  pageSizes: Array<{ width: number; height: number }>;
  /** Encrypted without a user password (opens, but may not be re-written). */
  protected: boolean;
}

const TOOL_TIMEOUT_MS = 30_000;

function run(cmd: string, args: string[], timeoutMs = TOOL_TIMEOUT_MS): Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e && typeof e.code === 'string') return resolve({ stdout: '', stderr: `${cmd}: ${e.code}`, code: -1, timedOut: false });
      resolve({ stdout, stderr, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, timedOut: !!e?.killed });
    });
  });
}

/** Validity, encryption, page count and page sizes (points), via pdfinfo with a timeout. */
export async function pdfInfo(file: string): Promise<PdfInfo> {
  const r = await run('pdfinfo', ['-f', '1', '-l', '100000', file]);
  if (r.timedOut) throw new DocumentError('damaged_file', 'This PDF could not be read in time; it may be damaged.');
  if (r.code !== 0) {
    if (/password/i.test(r.stderr)) throw new DocumentError('encrypted_file', 'This PDF is protected with a password. Remove the password (print it to a new PDF) and upload it again.');
    throw new DocumentError('damaged_file', 'This PDF is damaged and cannot be opened.');
  }
  const pagesMatch = /^Pages:\s+(\d+)/m.exec(r.stdout);
  const pages = pagesMatch ? Number(pagesMatch[1]) : 0;
  if (pages < 1) throw new DocumentError('damaged_file', 'This PDF has no pages it could show.');
  const pageSizes: PdfInfo['pageSizes'] = [];
  for (const m of r.stdout.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm)) pageSizes[Number(m[1]) - 1] = { width: Number(m[2]), height: Number(m[3]) };
  const rot = [...r.stdout.matchAll(/^Page\s+(\d+)\s+rot:\s+(\d+)/gm)];
  for (const m of rot) {
    const i = Number(m[1]) - 1;
    // Sizes as shown: a page turned by 90° or 270° shows its height as its width.
    if (pageSizes[i] && (Number(m[2]) === 90 || Number(m[2]) === 270)) pageSizes[i] = { width: pageSizes[i].height, height: pageSizes[i].width };
  }
  for (let i = 0; i < pages; i++) pageSizes[i] ??= pageSizes[i - 1] ?? { width: 612, height: 792 };
  return { pages, pageSizes, protected: /^Encrypted:\s+yes/m.test(r.stdout) };
}

/** Page `page` as a PNG `width` pixels wide (pdftoppm, no scripts, no network). */
export async function renderPage(file: string, outPrefix: string, page: number, width: number): Promise<Buffer> {
  const r = await run('pdftoppm', ['-png', '-f', String(page), '-l', String(page), '-scale-to-x', String(width), '-scale-to-y', '-1', '-singlefile', file, outPrefix]);
  if (r.timedOut || r.code !== 0) throw new DocumentError('damaged_file', 'This PDF could not be rendered; it may be damaged.');
  const out = `${outPrefix}.png`;
  try {
    return await readFile(out);
  } finally {
    await rm(out, { force: true });
  }
}

/** The PDF's text (tests and checks only). */
export async function pdfText(file: string): Promise<string> {
  const r = await run('pdftotext', ['-layout', file, '-']);
  if (r.code !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
  return r.stdout;
}
