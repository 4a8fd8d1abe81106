import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { receiveToFile } from './receive';
import { mp4Head } from './testing/fixtures';

describe('receiveToFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engage-recv-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('streams to disk while hashing and counting', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const r = await receiveToFile(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), path.join(dir, 'f'), { maxBytes: 1_000_000, maxVideoBytes: 2_000_000 });
    expect(r).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await readFile(r.file)).equals(bytes)).toBe(true);
  });

  it('stops one byte over the limit and removes the partial file; a video head earns the video limit', async () => {
    const file = path.join(dir, 'over');
    await expect(receiveToFile(Readable.from([Buffer.alloc(1001, 1)]), file, { maxBytes: 1000, maxVideoBytes: 5000 })).rejects.toMatchObject({ code: 'file_too_large', message: expect.stringContaining('1000 bytes') });
    expect(existsSync(file)).toBe(false);
    const video = Buffer.concat([mp4Head(), Buffer.alloc(3000 - mp4Head().length + 4096, 1)]);
    await expect(receiveToFile(Readable.from([video]), path.join(dir, 'v'), { maxBytes: 1000, maxVideoBytes: 9000 })).resolves.toMatchObject({ size: video.length });
  });

  it('rejects an upload cut off mid-way and leaves no file behind', async () => {
    const body = new PassThrough();
    const file = path.join(dir, 'cut');
    const done = receiveToFile(body, file, { maxBytes: 1_000_000, maxVideoBytes: 1_000_000 });
    body.write(Buffer.alloc(5000, 2));
    setImmediate(() => body.destroy());
    await expect(done).rejects.toMatchObject({ message: expect.stringContaining('interrupted') });
    expect(existsSync(file)).toBe(false);
  });
});
