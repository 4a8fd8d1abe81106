import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { configureLogging } from '../common/logger';
import { OfficeConverter, probeIsolation } from './office-converter';
import { OFFICE_MIME } from './sniff';
import { docx, flatOdt } from './testing/fixtures';

configureLogging('silent');
jest.setTimeout(30_000);

describe('OfficeConverter safety', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engage-conv-'));
    input = path.join(dir, 'in.docx');
    await writeFile(input, 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses to convert (conversion_failed) rather than convert with network when no isolation is possible', async () => {
    const c = new OfficeConverter({ sofficePath: 'soffice', timeoutMs: 5000, isolation: { refused: 'unshare is not permitted' } });
    await expect(c.convert(input, 'application/msword', false)).rejects.toMatchObject({ code: 'conversion_failed', message: expect.stringContaining('network') });
  });

  it('runs the converter in a namespace where loopback servers are unreachable', async () => {
    let hits = 0;
    const server = createServer((_q, r) => {
      hits++;
      r.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const iso = probeIsolation();
      expect('argv' in iso).toBe(true);
      if (!('argv' in iso)) return;
      const probe = `require('http').get('http://127.0.0.1:${port}/', () => process.exit(0)).on('error', () => process.exit(3))`;
      const exitOf = (cmd: string, args: string[]) => new Promise<number | null>((resolve) => spawn(cmd, args, { stdio: 'ignore' }).on('exit', resolve));
      expect(await exitOf(process.execPath, ['-e', probe])).toBe(0);
      expect(await exitOf(iso.argv[0], [...iso.argv.slice(1), process.execPath, '-e', probe])).toBe(3);
      expect(hits).toBe(1);
    } finally {
      server.close();
    }
  });

  it('with the network left on (no namespace), the profile alone still keeps LibreOffice from fetching linked images', async () => {
    let hits = 0;
    const server = createServer((_q, r) => {
      hits++;
      r.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const c = new OfficeConverter({ sofficePath: 'soffice', timeoutMs: 60_000, isolation: { argv: ['env'] } });
    try {
      const docxFile = path.join(dir, 'linked.docx');
      await writeFile(docxFile, docx('Linked image inside', { linkedImage: `http://127.0.0.1:${port}/canary` }));
      const fodtFile = path.join(dir, 'linked.fodt');
      await writeFile(fodtFile, flatOdt('Linked flat', { imageUrl: `http://127.0.0.1:${port}/canary-image` }));
      for (const [file, mime, flat] of [[docxFile, OFFICE_MIME.docx, false], [fodtFile, OFFICE_MIME.odt, true]] as const) {
        const out = await c.convert(file, mime, flat);
        expect((await stat(out.pdf)).size).toBeGreaterThan(0);
        await rm(out.dir, { recursive: true, force: true });
      }
      expect(hits).toBe(0);
    } finally {
      c.close();
      server.close();
    }
  });

  it('kills a conversion that outlasts the timeout (its whole process group)', async () => {
    const slow = path.join(dir, 'slow-soffice.sh');
    await writeFile(slow, '#!/bin/sh\nsleep 30 &\nsleep 30\n');
    await chmod(slow, 0o755);
    const c = new OfficeConverter({ sofficePath: slow, timeoutMs: 500 });
    const started = Date.now();
    await expect(c.convert(input, 'application/msword', false)).rejects.toMatchObject({ code: 'conversion_failed', message: expect.stringContaining('longer than') });
    expect(Date.now() - started).toBeLessThan(5000);
    const left = spawnSync('pgrep', ['-f', slow]);
    expect(left.stdout.toString().trim()).toBe('');
  });
});
