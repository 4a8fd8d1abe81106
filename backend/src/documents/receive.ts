import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DocumentError } from '../common/errors';
import { SNIFF_HEAD_BYTES, isVideoHead } from './sniff';

export interface Received {
  file: string;
  size: number;
  sha256: string;
  head: Buffer;
}

/** "50 MB" — limits in words. */
export function bytesInWords(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

/**
 * Streams a request body to `file` while hashing and counting; never buffers it. The limit is
 * decided from the first bytes (videos may be larger); one byte over stops the stream with
 * file_too_large, and the partial file is removed.
 */
export function receiveToFile(body: Readable, file: string, limits: { maxBytes: number; maxVideoBytes: number }): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx' });
    const hash = createHash('sha256');
    const headParts: Buffer[] = [];
    let headLen = 0;
    let size = 0;
    let limit: number | null = null;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.unpipe();
      body.pause();
      out.destroy();
      void rm(file, { force: true }).finally(() => reject(err));
    };
    const decide = () => {
      const head = Buffer.concat(headParts);
      limit = isVideoHead(head) ? limits.maxVideoBytes : limits.maxBytes;
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (headLen < SNIFF_HEAD_BYTES) {
        headParts.push(chunk.subarray(0, SNIFF_HEAD_BYTES - headLen));
        headLen += Math.min(chunk.length, SNIFF_HEAD_BYTES - headLen);
        if (headLen >= SNIFF_HEAD_BYTES) decide();
      }
      const max = limit ?? Math.max(limits.maxBytes, limits.maxVideoBytes);
      if (size > max) return fail(new DocumentError('file_too_large', `This file is larger than ${bytesInWords(max)}, the largest ${limit === limits.maxVideoBytes && limit !== limits.maxBytes ? 'video ' : ''}upload allowed.`));
      hash.update(chunk);
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => body.resume());
      }
    });
    let ended = false;
    body.on('end', () => {
      ended = true;
      if (failed) return;
      if (limit === null) decide();
      if (size > (limit ?? 0)) return fail(new DocumentError('file_too_large', `This file is larger than ${bytesInWords(limit ?? 0)}, the largest upload allowed.`));
      out.end(() => resolve({ file, size, sha256: hash.digest('hex'), head: Buffer.concat(headParts) }));
    });
    body.on('error', fail);
    // Closed before its end: the client went away mid-upload.
    body.on('close', () => {
      if (!ended) fail(new DocumentError('damaged_file', 'The upload was interrupted before the whole file arrived.'));
    });
    out.on('error', fail);
  });
}
