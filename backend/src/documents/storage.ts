import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The stored forms of a document: the upload, the PDF to render (office), and server-rendered images. */
export const VARIANTS = ['original', 'pdf', 'thumb', 'page1'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface StoredKey {
  engagementId: string;
  documentId: string;
  variant: Variant;
}

/**
 * Where document bytes live. Callers know keys only, so an object store can replace the local disk
 * without touching them.
 */
export interface DocumentStorage {
  /** Stores bytes, or moves a finished temp file in (`from`). Returns the bytes stored. */
  put(key: StoredKey, from: { file: string } | { bytes: Uint8Array }): Promise<number>;
  /** A stream of the bytes, optionally a range (inclusive end). */
  stream(key: StoredKey, range?: { start: number; end: number }): Readable;
  /** Size, or null when absent. */
  stat(key: StoredKey): Promise<{ size: number } | null>;
  /** A local file path for tools that need one (pdfinfo, soffice, pdftoppm). */
  localPath(key: StoredKey): string;
  deleteEngagement(engagementId: string): Promise<void>;
  /** Bytes stored for an engagement. */
  usage(engagementId: string): Promise<number>;
}

const SAFE_ID = /^[0-9a-f-]{36}$/;

/** Bytes under `<DATA_DIR>/documents/<engagement>/<document>/<variant>`. */
export class LocalDiskStorage implements DocumentStorage {
  constructor(private readonly root: string) {}

  private dirOf(engagementId: string): string {
    if (!SAFE_ID.test(engagementId)) throw new Error('bad engagement id');
    return path.join(this.root, engagementId);
  }

  localPath(key: StoredKey): string {
    if (!SAFE_ID.test(key.documentId)) throw new Error('bad document id');
    return path.join(this.dirOf(key.engagementId), key.documentId, key.variant);
  }

  async put(key: StoredKey, from: { file: string } | { bytes: Uint8Array }): Promise<number> {
    const target = this.localPath(key);
    await mkdir(path.dirname(target), { recursive: true });
    if ('file' in from) {
      try {
        await rename(from.file, target);
      } catch {
        // Another file system: copy, then drop the temp file.
        await copyFile(from.file, target);
        await rm(from.file, { force: true });
      }
    } else {
      await writeFile(target, from.bytes);
    }
    return (await stat(target)).size;
  }

  stream(key: StoredKey, range?: { start: number; end: number }): Readable {
    return createReadStream(this.localPath(key), range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: StoredKey): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.localPath(key))).size };
    } catch {
      return null;
    }
  }

  async deleteEngagement(engagementId: string): Promise<void> {
    await rm(this.dirOf(engagementId), { recursive: true, force: true });
  }

  async usage(engagementId: string): Promise<number> {
    let total = 0;
    const dir = this.dirOf(engagementId);
    let docs: string[];
    try {
      docs = await readdir(dir);
    } catch {
      return 0;
    }
    for (const d of docs) {
      for (const f of await readdir(path.join(dir, d)).catch(() => [] as string[])) total += (await stat(path.join(dir, d, f)).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }
}
