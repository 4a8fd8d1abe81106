import { randomUUID } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DOC_EV, DOC_LIMITS, type DocParty, type DocRoomView, type DocumentView, type EngagementView } from '@engage/protocol';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { DocumentError, DomainError, InvalidStateError, NotFoundError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import type { DocumentsConfig } from '../config/config.schema';
import { EngagementsService } from '../engagements/engagements.service';
import { assertMayView, participantRole } from '../realtime/access';
import { DocumentBus, type Audience } from './document-bus';
import { documentView, records, type DocRow } from './document-records';
import { OfficeConverter } from './office-converter';
import { pdfInfo, renderPage } from './pdf-tools';
import { readFields, type FieldDefinition } from './pdf-fields';
import { bytesInWords, receiveToFile } from './receive';
import { DocRoomState } from './room-state';
import { SNIFF_HEAD_BYTES, isVideoHead, sniff, type Sniffed } from './sniff';
import { DOCUMENT_STORAGE } from './storage.token';
import type { DocumentStorage, Variant } from './storage';
import { UrlSigner, type UrlVariant } from './url-signer';

/** Widths of the server-rendered page images: the list's thumbnail and page 1 as a desk shows it. */
export const THUMB_WIDTH = 200;
export const PAGE1_WIDTH = 1200;

/** What to send for a content request. */
export interface ContentResponse {
  size: number;
  contentType: string;
  disposition: string;
  open(range?: { start: number; end: number }): Readable;
}

/**
 * Documents of an engagement: upload (stream → sniff → validate → render or convert), the stored
 * bytes behind signed URLs, and the room's document list. One conversion at a time.
 */
@Injectable()
export class DocumentsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger('documents');
  private readonly cfg: DocumentsConfig;
  readonly converter: OfficeConverter;
  private readonly pending = new Set<Promise<unknown>>();
  private closing = false;

  constructor(
    private readonly ds: DataSource,
    private readonly engagements: EngagementsService,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    readonly urls: UrlSigner,
    private readonly bus: DocumentBus,
    private readonly room: DocRoomState,
    config: AppConfig,
  ) {
    this.cfg = config.get('documents');
    this.converter = new OfficeConverter({ sofficePath: this.cfg.sofficePath, timeoutMs: this.cfg.conversionTimeoutS * 1000 });
  }

  /** Conversions cut short by a restart are queued again (their originals are stored). */
  async onApplicationBootstrap(): Promise<void> {
    const rows: Array<{ id: string }> = await this.ds.query(`SELECT id FROM documents WHERE status = 'converting' ORDER BY created_at`);
    for (const { id } of rows) {
      const row = await records.document(this.ds, id);
      if (row) this.track(this.convert(row, { mime: row.sourceType, family: 'office', width: null, height: null }));
    }
    if (rows.length) this.log.info({ documents: rows.length }, 'conversions resumed');
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.converter.close();
  }

  /** Waits for conversions in progress (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Who may write to the engagement's room: the customer or the assigned agent; the engagement must not have ended. */
  async writer(p: Principal, engagementId: string): Promise<{ role: DocParty; view: EngagementView }> {
    const view = await this.engagements.view(engagementId);
    const role = participantRole(p, view);
    if (view.state === 'ended') throw new InvalidStateError('This engagement has ended; its documents are read-only.');
    return { role, view };
  }

  /** Who may read: participants and supervisors. */
  async reader(p: Principal, engagementId: string): Promise<{ audience: Audience; view: EngagementView }> {
    const view = await this.engagements.view(engagementId);
    assertMayView(p, view);
    return { audience: p.role === 'customer' ? 'customer' : 'staff', view };
  }

  // ───────────── upload ─────────────

  async upload(p: Principal, engagementId: string, body: Readable, input: { fileName: string | undefined; contentLength: number | undefined }): Promise<DocumentView> {
    const { role } = await this.writer(p, engagementId);
    const name = cleanFileName(input.fileName);
    const max = Math.max(this.cfg.maxUploadBytes, this.cfg.maxVideoBytes);
    if (input.contentLength !== undefined && input.contentLength > max) throw new DocumentError('file_too_large', `This file is larger than ${bytesInWords(max)}, the largest upload allowed.`);
    const used = await records.usedBytes(this.ds, engagementId);
    if (input.contentLength !== undefined) this.assertQuota(used, input.contentLength);
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'engage-upload-'));
    try {
      const received = await receiveToFile(body, path.join(tmpDir, 'upload'), { maxBytes: this.cfg.maxUploadBytes, maxVideoBytes: this.cfg.maxVideoBytes });
      this.assertQuota(used, received.size);
      const bytes = isVideoHead(received.head) ? received.head : await readFile(received.file);
      const sniffed = sniff(bytes, { complete: bytes !== received.head || received.size <= SNIFF_HEAD_BYTES, size: received.size });
      const id = randomUUID();
      const base: Omit<DocRow, 'createdAt'> = {
        id,
        engagementId,
        name,
        kind: sniffed.family === 'office' ? 'pdf' : sniffed.family,
        sourceType: sniffed.mime,
        status: 'ready',
        errorCode: null,
        errorMessage: null,
        size: received.size,
        storedBytes: 0,
        sha256: received.sha256,
        pages: null,
        pageSizes: null,
        width: sniffed.width,
        height: sniffed.height,
        protected: false,
        variants: ['original'],
        fields: [],
        uploadedByRole: role,
        uploadedByName: p.name,
        origin: 'upload',
        derivedFrom: null,
      };
      let row: Omit<DocRow, 'createdAt'>;
      if (sniffed.family === 'pdf') {
        const rendered = await this.preparePdf(received.file, engagementId, id, bytes);
        row = { ...base, ...rendered.meta, storedBytes: rendered.storedBytes };
      } else {
        row = { ...base, status: sniffed.family === 'office' ? 'converting' : 'ready' };
      }
      row.storedBytes += await this.storage.put({ engagementId, documentId: id, variant: 'original' }, { file: received.file });
      await this.ds.transaction(async (m) => {
        await records.insertDocument(m, row);
        await records.audit(m, engagementId, 'doc.uploaded', role, { documentId: id, name, type: sniffed.mime, size: received.size, sha256: received.sha256 });
      });
      this.log.info({ eid: engagementId, event: 'doc/upload', documentId: id, type: sniffed.mime, size: received.size, status: row.status }, 'document uploaded');
      if (sniffed.family === 'office') this.track(this.convert(row, sniffed));
      await this.broadcastRoom(engagementId);
      return this.viewOf(id, p.role === 'customer' ? 'customer' : 'staff');
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  private assertQuota(used: number, adding: number): void {
    if (used + adding > this.cfg.quotaBytes) {
      throw new DocumentError('quota_exceeded', `This engagement may store ${bytesInWords(this.cfg.quotaBytes)} of documents; ${bytesInWords(Math.max(0, this.cfg.quotaBytes - used))} are left and this file has ${bytesInWords(adding)}.`);
    }
  }

  /**
   * Checks a PDF (pdfinfo: damaged, password, pages), reads its form fields, renders the thumbnail
   * and page 1, and stores the two images. Returns what goes into the row.
   */
  async preparePdf(file: string, engagementId: string, documentId: string, bytes?: Buffer): Promise<{ meta: Pick<DocRow, 'pages' | 'pageSizes' | 'protected' | 'fields' | 'variants'>; storedBytes: number }> {
    const info = await pdfInfo(file);
    let fields: FieldDefinition[] = [];
    if (!info.protected) {
      try {
        fields = await readFields(bytes ?? (await readFile(file)));
      } catch (err) {
        this.log.warn({ err, documentId }, 'form fields could not be read');
      }
    }
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'engage-render-'));
    try {
      const thumb = await renderPage(file, path.join(outDir, 'thumb'), 1, THUMB_WIDTH);
      const page1 = await renderPage(file, path.join(outDir, 'page1'), 1, PAGE1_WIDTH);
      let stored = 0;
      stored += await this.storage.put({ engagementId, documentId, variant: 'thumb' }, { bytes: thumb });
      stored += await this.storage.put({ engagementId, documentId, variant: 'page1' }, { bytes: page1 });
      return { meta: { pages: info.pages, pageSizes: info.pageSizes, protected: info.protected, fields, variants: ['original', 'thumb', 'page1'] }, storedBytes: stored };
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }

  private track<T>(p: Promise<T>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Converts an office upload in the queue; the room hears `converting` → `ready` / `failed`. */
  private async convert(row: Omit<DocRow, 'createdAt'>, sniffed: Sniffed): Promise<void> {
    const key = { engagementId: row.engagementId, documentId: row.id };
    const source = this.storage.localPath({ ...key, variant: 'original' });
    const flat = await isXml(source);
    let workDir: string | undefined;
    try {
      const { pdf, dir, ms } = await this.converter.convert(source, sniffed.mime, flat);
      workDir = dir;
      const rendered = await this.preparePdf(pdf, row.engagementId, row.id);
      const pdfBytes = await this.storage.put({ ...key, variant: 'pdf' }, { file: pdf });
      await this.ds.transaction(async (m) => {
        await records.markReady(m, row.id, { ...rendered.meta, variants: [...rendered.meta.variants, 'pdf'], addedBytes: rendered.storedBytes + pdfBytes });
        await records.audit(m, row.engagementId, 'doc.converted', 'system', { documentId: row.id, ms, pages: rendered.meta.pages });
      });
      this.log.info({ eid: row.engagementId, documentId: row.id, ms }, 'document converted');
    } catch (err) {
      // Stopped by shutdown: the row stays `converting` and is queued again at the next start.
      if (this.closing) return;
      const e = err instanceof DomainError ? err : new DocumentError('conversion_failed', 'This office file could not be converted. Upload it as a PDF instead.');
      if (!(err instanceof DomainError)) this.log.error({ err, documentId: row.id }, 'conversion failed');
      const code = e.code === 'damaged_file' || e.code === 'encrypted_file' ? e.code : 'conversion_failed';
      await this.ds.transaction(async (m) => {
        await records.markFailed(m, row.id, code, e.message);
        await records.audit(m, row.engagementId, 'doc.conversion_failed', 'system', { documentId: row.id, code });
      });
    } finally {
      if (workDir) await rm(workDir, { recursive: true, force: true });
    }
    await this.broadcastRoom(row.engagementId);
  }

  // ───────────── reading ─────────────

  async list(p: Principal, engagementId: string): Promise<DocumentView[]> {
    const { audience } = await this.reader(p, engagementId);
    return this.views(engagementId, audience);
  }

  async views(engagementId: string, audience: Audience): Promise<DocumentView[]> {
    const docs = await records.documentsOf(this.ds, engagementId);
    const ids = docs.map((d) => d.id);
    const [states, sigs] = await Promise.all([records.fieldStates(this.ds, ids), records.signatures(this.ds, ids)]);
    return docs.map((d) => documentView(d, states, sigs, audience, this.urls));
  }

  async viewOf(documentId: string, audience: Audience): Promise<DocumentView> {
    const d = await records.document(this.ds, documentId);
    if (!d) throw new NotFoundError('No such document.');
    const [states, sigs] = await Promise.all([records.fieldStates(this.ds, [d.id]), records.signatures(this.ds, [d.id])]);
    return documentView(d, states, sigs, audience, this.urls);
  }

  /** The whole room for one audience. */
  async roomView(engagementId: string, audience: Audience): Promise<DocRoomView> {
    const [documents, used] = await Promise.all([this.views(engagementId, audience), records.usedBytes(this.ds, engagementId)]);
    return { engagementId, documents, ...this.room.get(engagementId), usedBytes: used, quotaBytes: this.cfg.quotaBytes };
  }

  /** doc/room to every socket of the engagement (each audience its own view), except `except`. */
  async broadcastRoom(engagementId: string, except?: string): Promise<void> {
    const [customer, staff] = await Promise.all([this.roomView(engagementId, 'customer'), this.roomView(engagementId, 'staff')]);
    this.bus.send({ engagementId, event: DOC_EV.room, payloadFor: (a) => (a === 'customer' ? customer : staff), except });
  }

  /** A document of this engagement, or NotFound. */
  async documentIn(engagementId: string, documentId: string): Promise<DocRow> {
    const d = await records.document(this.ds, documentId);
    if (!d || d.engagementId !== engagementId) throw new NotFoundError('No such document in this engagement.');
    return d;
  }

  /** The bytes a signed URL names, with the headers that keep browsers from running them. */
  async content(documentId: string, query: Record<string, unknown>): Promise<ContentResponse> {
    const variant = this.urls.verify(documentId, query);
    const d = await records.document(this.ds, documentId);
    if (!d) throw new NotFoundError('This document no longer exists.');
    const { stored, contentType, inline, ext } = resolveVariant(d, variant);
    const key = { engagementId: d.engagementId, documentId: d.id, variant: stored };
    const stat = await this.storage.stat(key);
    if (!stat) throw new NotFoundError(d.status === 'converting' ? 'This document is still being converted.' : 'This form of the document does not exist.');
    return {
      size: stat.size,
      contentType,
      disposition: contentDisposition(inline ? 'inline' : 'attachment', withExtension(d.name, ext)),
      open: (range) => this.storage.stream(key, range),
    };
  }

  /** Reads a stored variant fully (export). */
  async bytesOf(d: DocRow, variant: Variant): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.storage.stream({ engagementId: d.engagementId, documentId: d.id, variant })) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Stores a produced PDF (export/signed copy) as a new ready document of the room, writing its audit row in the same transaction. */
  async storeDerived(
    from: DocRow,
    bytes: Uint8Array,
    input: { name: string; origin: 'export' | 'signed'; by: { role: DocParty; name: string }; sha256: string; audit: { type: string; detail: Record<string, unknown> } },
  ): Promise<string> {
    const id = randomUUID();
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'engage-export-'));
    try {
      const file = path.join(tmpDir, 'export.pdf');
      const fh = await open(file, 'wx');
      await fh.writeFile(bytes);
      await fh.close();
      const rendered = await this.preparePdf(file, from.engagementId, id, Buffer.from(bytes));
      const stored = rendered.storedBytes + (await this.storage.put({ engagementId: from.engagementId, documentId: id, variant: 'original' }, { file }));
      await this.ds.transaction(async (m) => {
        await records.insertDocument(m, {
          id,
          engagementId: from.engagementId,
          name: input.name,
          kind: 'pdf',
          sourceType: 'application/pdf',
          status: 'ready',
          errorCode: null,
          errorMessage: null,
          size: bytes.length,
          storedBytes: stored,
          sha256: input.sha256,
          width: null,
          height: null,
          uploadedByRole: input.by.role,
          uploadedByName: input.by.name,
          origin: input.origin,
          derivedFrom: from.id,
          ...rendered.meta,
        });
        await records.audit(m, from.engagementId, input.audit.type, input.by.role, { ...input.audit.detail, documentId: id, derivedFrom: from.id });
      });
      return id;
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
}

/** A file name safe to keep and show: no path, no control characters, at most DOC_LIMITS.fileNameMaxChars. */
export function cleanFileName(raw: string | undefined): string {
  let name = '';
  try {
    name = raw ? decodeURIComponent(raw) : '';
  } catch {
    name = raw ?? '';
  }
  name = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim();
  if (!name || name === '.' || name === '..') name = 'document';
  return name.slice(0, DOC_LIMITS.fileNameMaxChars);
}

function resolveVariant(d: DocRow, variant: UrlVariant): { stored: Variant; contentType: string; inline: boolean; ext: string | null } {
  switch (variant) {
    case 'original':
      return { stored: 'original', contentType: d.sourceType, inline: false, ext: null };
    case 'pdf':
      if (d.kind !== 'pdf') throw new NotFoundError('This document is not a PDF.');
      return { stored: d.variants.includes('pdf') ? 'pdf' : 'original', contentType: 'application/pdf', inline: true, ext: 'pdf' };
    case 'thumb':
    case 'page1':
      return { stored: variant, contentType: 'image/png', inline: true, ext: 'png' };
    case 'media':
      if (d.kind !== 'image' && d.kind !== 'video') throw new NotFoundError('This document is not an image or a video.');
      return { stored: 'original', contentType: d.sourceType, inline: true, ext: null };
  }
}

function withExtension(name: string, ext: string | null): string {
  if (!ext) return name;
  return name.toLowerCase().endsWith(`.${ext}`) ? name : `${name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.${ext}`;
}

/** `inline|attachment; filename="ascii"; filename*=UTF-8''…` with nothing that could break the header. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._ ()-]/g, '_').slice(0, 150) || 'document';
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

async function isXml(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(64), 0, 64, 0);
    const t = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return t.startsWith('<');
  } finally {
    await fh.close();
  }
}
