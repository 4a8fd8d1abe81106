import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DOC_EV,
  DOC_LIMITS,
  type Annotation,
  type CalculatorState,
  type ClientPayload,
  type DocParty,
  type DocRoomView,
  type DocViewState,
  type DocumentView,
  type FormFieldView,
  type SignatureView,
  type VideoSyncState,
} from '@engage/protocol';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { DocumentError, ForbiddenError, InvalidPayloadError, InvalidStateError, NotFoundError } from '../common/errors';
import { createLogger } from '../common/logger';
import { EngagementBus } from '../engagements/engagement-bus';
import { EngagementsService } from '../engagements/engagements.service';
import { calculate } from './calculator';
import { DocumentBus } from './document-bus';
import { fieldView, records, signatureView, type DocRow } from './document-records';
import { DocumentsService } from './documents.service';
import { exportPdf, sha256, type PlacedSignature } from './pdf-export';
import { valueFits } from './pdf-fields';
import { DocRoomState } from './room-state';

/** Colours of the marks, by the author's role (decided by the server). */
export const PARTY_COLOR: Record<DocParty, string> = { agent: '#2563eb', customer: '#db2777' };

/** Largest drawn signature accepted, pixels. */
const SIGNATURE_MAX = { width: 2000, height: 1000 };

/** The live document room: presenter and view, annotations, fields, signatures, export, video, calculator. */
@Injectable()
export class DocumentRoomService implements OnModuleInit {
  private readonly log = createLogger('doc-room');
  /** document id → engagement id, so relayed strokes need no query. */
  private readonly owner = new Map<string, string>();

  constructor(
    private readonly ds: DataSource,
    private readonly docs: DocumentsService,
    private readonly engagements: EngagementsService,
    private readonly engagementBus: EngagementBus,
    private readonly bus: DocumentBus,
    private readonly room: DocRoomState,
  ) {}

  onModuleInit(): void {
    this.engagementBus.on('changed', (v) => {
      if (v.state === 'ended') this.room.forget(v.id);
    });
  }

  async open(p: Principal, engagementId: string): Promise<{ room: DocRoomView; serverTime: number }> {
    const { audience, view } = await this.docs.reader(p, engagementId);
    // The assigned agent opening the room moves an engagement without a mode into the document room.
    if (p.role === 'agent' && view.agent?.id === (p as { userId: string }).userId && view.state === 'active' && view.mode === 'none') {
      await this.engagements.recordModeChange(engagementId, { type: 'doc.opened', actor: 'agent', detail: {}, mode: 'document', requireActive: true });
    }
    const room = await this.docs.roomView(engagementId, audience);
    for (const d of room.documents) this.owner.set(d.id, engagementId);
    return { room, serverTime: Date.now() };
  }

  async annotations(p: Principal, engagementId: string, documentId: string): Promise<{ annotations: Annotation[] }> {
    await this.docs.reader(p, engagementId);
    await this.docs.documentIn(engagementId, documentId);
    return { annotations: await records.annotations(this.ds, documentId) };
  }

  async present(p: Principal, engagementId: string, socketId: string): Promise<{ room: DocRoomView }> {
    const { role } = await this.docs.writer(p, engagementId);
    this.room.update(engagementId, { presenter: role });
    await this.docs.broadcastRoom(engagementId, socketId);
    return { room: await this.docs.roomView(engagementId, role === 'customer' ? 'customer' : 'staff') };
  }

  async setView(p: Principal, engagementId: string, view: DocViewState, socketId: string): Promise<Record<string, never>> {
    const { role } = await this.docs.writer(p, engagementId);
    if (this.room.get(engagementId).presenter !== role) throw new ForbiddenError('Only the presenter moves everyone’s view; press Present first.');
    if (view.documentId) await this.assertOwned(engagementId, view.documentId);
    this.room.update(engagementId, { view });
    this.bus.send({ engagementId, event: DOC_EV.viewChanged, payloadFor: () => ({ engagementId, view, by: role }), except: socketId });
    return {};
  }

  async annotate(p: Principal, payload: ClientPayload<'doc/annotate'>, socketId: string): Promise<{ annotation: Annotation }> {
    const { engagementId, annotation: input } = payload;
    const { role } = await this.docs.writer(p, engagementId);
    const d = await this.markable(engagementId, input.documentId);
    if (d.pages !== null && input.page > d.pages) throw new InvalidPayloadError(`This document has ${d.pages} page(s).`);
    if (d.kind === 'image' && input.page !== 1) throw new InvalidPayloadError('An image has one page.');
    if ((await records.countAnnotations(this.ds, d.id)) >= DOC_LIMITS.annotationsPerDocument) throw new InvalidStateError(`A document holds ${DOC_LIMITS.annotationsPerDocument} marks at most; erase some first.`);
    const annotation: Annotation = { ...input, text: input.tool === 'text' ? input.text : null, color: PARTY_COLOR[role], author: { role, name: p.name }, createdAt: new Date().toISOString() };
    const { annotation: stored, created } = await records.addAnnotation(this.ds, annotation);
    if (stored.documentId !== d.id) throw new InvalidPayloadError('This annotation id belongs to another document.');
    if (created) this.bus.send({ engagementId, event: DOC_EV.annotationAdded, payloadFor: () => ({ engagementId, annotation: stored }), except: socketId });
    return { annotation: stored };
  }

  async erase(p: Principal, payload: ClientPayload<'doc/erase'>, socketId: string): Promise<Record<string, never>> {
    const { engagementId, documentId, id } = payload;
    const { role } = await this.docs.writer(p, engagementId);
    await this.docs.documentIn(engagementId, documentId);
    if (await records.removeAnnotation(this.ds, documentId, id)) {
      this.bus.send({ engagementId, event: DOC_EV.annotationRemoved, payloadFor: () => ({ engagementId, documentId, id, by: role }), except: socketId });
    }
    return {};
  }

  /** A stroke being drawn: relayed at once to the others, not stored. */
  async stroke(p: Principal, s: ClientPayload<'doc/stroke'>, socketId: string): Promise<Record<string, never>> {
    const { role } = await this.docs.writer(p, s.engagementId);
    await this.assertOwned(s.engagementId, s.documentId);
    const msg = { engagementId: s.engagementId, documentId: s.documentId, id: s.id, page: s.page, tool: s.tool, points: s.points, done: s.done, color: PARTY_COLOR[role], width: s.width, by: role };
    this.bus.send({ engagementId: s.engagementId, event: DOC_EV.strokeDrawn, payloadFor: () => msg, except: socketId });
    return {};
  }

  async setField(p: Principal, f: ClientPayload<'doc/field'>, socketId: string): Promise<{ field: FormFieldView }> {
    const { role } = await this.docs.writer(p, f.engagementId);
    const d = await this.markable(f.engagementId, f.documentId);
    const def = d.fields.find((x) => x.name === f.name);
    if (!def) throw new NotFoundError(`This document has no field named "${f.name.slice(0, 80)}".`);
    const [state] = (await records.fieldStates(this.ds, [d.id])).filter((s) => s.name === f.name);
    if (state?.customerOnly && role !== 'customer') throw new ForbiddenError('Only the customer fills this field.');
    const misfit = valueFits(def, f.value);
    if (misfit) throw new InvalidPayloadError(misfit);
    await records.setFieldValue(this.ds, d.id, f.name, f.value, role);
    return { field: await this.broadcastField(d, f.name, socketId, role === 'customer' ? 'customer' : 'staff') };
  }

  async setFieldPolicy(p: Principal, f: ClientPayload<'doc/field-policy'>, socketId: string): Promise<{ field: FormFieldView }> {
    const { role } = await this.docs.writer(p, f.engagementId);
    if (role !== 'agent') throw new ForbiddenError('Only the agent decides who fills a field and whether it is required.');
    const d = await this.markable(f.engagementId, f.documentId);
    if (!d.fields.some((x) => x.name === f.name)) throw new NotFoundError(`This document has no field named "${f.name.slice(0, 80)}".`);
    await this.ds.transaction(async (m) => {
      await records.setFieldPolicy(m, d.id, f.name, { customerOnly: f.customerOnly, required: f.required });
      await records.audit(m, f.engagementId, 'doc.field_policy', 'agent', { documentId: d.id, field: f.name, customerOnly: f.customerOnly ?? null, required: f.required ?? null });
    });
    return { field: await this.broadcastField(d, f.name, socketId, 'staff') };
  }

  /** doc/field-changed to the others (value hidden from staff when customer-only); the sender's view returned. */
  private async broadcastField(d: DocRow, name: string, socketId: string, senderAudience: 'customer' | 'staff'): Promise<FormFieldView> {
    const def = d.fields.find((x) => x.name === name)!;
    const state = (await records.fieldStates(this.ds, [d.id])).find((s) => s.name === name);
    const signed = (await records.signatures(this.ds, [d.id])).some((s) => s.field === name);
    const views = { customer: fieldView(def, state, signed, 'customer'), staff: fieldView(def, state, signed, 'staff') };
    this.bus.send({ engagementId: d.engagementId, event: DOC_EV.fieldChanged, payloadFor: (a) => ({ engagementId: d.engagementId, documentId: d.id, field: views[a] }), except: socketId });
    return views[senderAudience];
  }

  async sign(p: Principal, s: ClientPayload<'doc/sign'>, socketId: string): Promise<{ signature: SignatureView }> {
    const { role } = await this.docs.writer(p, s.engagementId);
    if (role !== 'customer') throw new ForbiddenError('Only the customer signs.');
    const d = await this.markable(s.engagementId, s.documentId);
    checkSignaturePng(s.image);
    let place: { page: number; rect: { x: number; y: number; w: number; h: number } };
    if (s.field) {
      const def = d.fields.find((x) => x.name === s.field);
      if (!def) throw new NotFoundError(`This document has no field named "${s.field.slice(0, 80)}".`);
      if (def.type !== 'signature') throw new InvalidPayloadError(`"${def.name}" is not a signature field.`);
      place = { page: def.page, rect: def.rect };
    } else {
      if (!s.page || !s.rect) throw new InvalidPayloadError('Sign into a signature field, or give a page and a rectangle.');
      if (s.rect.w <= 0 || s.rect.h <= 0 || s.rect.x + s.rect.w > 1.0001 || s.rect.y + s.rect.h > 1.0001) throw new InvalidPayloadError('The signature rectangle must lie on the page.');
      place = { page: s.page, rect: s.rect };
    }
    if (d.pages !== null && place.page > d.pages) throw new InvalidPayloadError(`This document has ${d.pages} page(s).`);
    const row = await this.ds.transaction(async (m) => {
      const r = await records.insertSignature(m, { documentId: d.id, field: s.field, page: place.page, rect: place.rect, signerRole: 'customer', signerName: p.name, image: s.image });
      await records.audit(m, s.engagementId, 'doc.signature_placed', 'customer', { documentId: d.id, signatureId: r.id, field: s.field, page: place.page, signer: p.name });
      return r;
    });
    await this.docs.broadcastRoom(s.engagementId, socketId);
    return { signature: signatureView(row) };
  }

  /**
   * A copy of the document as a new document of the room: marks burnt in, values filled; complete,
   * it is checked (required fields), signed, flattened and gets the audit page; the facts go to the
   * engagement's audit log in the transaction that stores it.
   */
  async export(p: Principal, e: ClientPayload<'doc/export'>, socketId: string): Promise<{ document: DocumentView }> {
    const { role } = await this.docs.writer(p, e.engagementId);
    const d = await this.markable(e.engagementId, e.documentId);
    if (d.protected) throw new InvalidStateError('This PDF is protected by its author against changes; it can be viewed and marked but not exported.');
    const [states, sigs, annotations] = await Promise.all([records.fieldStates(this.ds, [d.id]), records.signatures(this.ds, [d.id]), records.annotations(this.ds, d.id)]);
    const views = d.fields.map((f) => fieldView(f, states.find((s) => s.name === f.name), sigs.some((s) => s.field === f.name), 'customer'));
    if (e.complete) {
      const missing = views.filter((f) => f.required && !f.filled).map((f) => f.name);
      if (missing.length) throw new DocumentError('fields_required', `Fill in the required field${missing.length > 1 ? 's' : ''} first: ${missing.slice(0, 20).join(', ')}.`);
    }
    const source = await this.docs.bytesOf(d, d.variants.includes('pdf') ? 'pdf' : 'original');
    const sourceSha = sha256(source);
    const signatures: PlacedSignature[] = sigs.map((s) => ({ page: s.page, rect: s.rect, png: Buffer.from(s.image.slice(s.image.indexOf(',') + 1), 'base64'), signerName: s.signerName, signerRole: s.signerRole, signedAt: s.signedAt }));
    const at = new Date();
    const result = await exportPdf({
      source,
      sourceMime: d.kind === 'pdf' ? 'application/pdf' : d.sourceType,
      annotations,
      fields: d.fields,
      values: new Map(views.map((v) => [v.name, v.value])),
      complete: e.complete,
      signatures,
      audit: e.complete ? { engagementId: e.engagementId, sourceName: d.name, sourceSha256: sourceSha, at } : undefined,
    });
    const base = d.name.replace(/\.[A-Za-z0-9]{1,5}$/, '');
    const finalSha = sha256(result.bytes);
    const signers = sigs.map((s) => ({ name: s.signerName, role: s.signerRole, signedAt: s.signedAt.toISOString(), page: s.page, field: s.field }));
    const id = await this.docs.storeDerived(d, result.bytes, {
      name: `${base} (${e.complete ? 'signed' : 'marked'}).pdf`,
      origin: e.complete ? 'signed' : 'export',
      by: { role, name: p.name },
      sha256: finalSha,
      audit: e.complete
        ? {
            type: 'doc.signed',
            detail: { engagementId: e.engagementId, sourceName: d.name, sha256Before: sourceSha, sha256After: result.afterSha256, signedBytes: result.prefixLength, sha256File: finalSha, signers, completedAt: at.toISOString(), by: p.name },
          }
        : { type: 'doc.exported', detail: { sourceName: d.name, sha256Source: sourceSha, sha256File: finalSha, annotations: annotations.length } },
    });
    this.owner.set(id, e.engagementId);
    this.log.info({ eid: e.engagementId, event: DOC_EV.export, documentId: id, complete: e.complete }, 'document exported');
    await this.docs.broadcastRoom(e.engagementId, socketId);
    return { document: await this.docs.viewOf(id, role === 'customer' ? 'customer' : 'staff') };
  }

  async video(p: Principal, v: ClientPayload<'doc/video'>, socketId: string): Promise<{ video: VideoSyncState; serverTime: number }> {
    const { role } = await this.docs.writer(p, v.engagementId);
    const d = await this.docs.documentIn(v.engagementId, v.documentId);
    if (d.kind !== 'video') throw new InvalidPayloadError('This document is not a video.');
    const prev = this.room.get(v.engagementId).video;
    const same = prev?.documentId === v.documentId ? prev : null;
    const playing = v.action === 'play' ? true : v.action === 'pause' ? false : (same?.playing ?? false);
    const rate = v.action === 'rate' ? v.rate : (same?.rate ?? v.rate);
    const now = Date.now();
    const video: VideoSyncState = { documentId: v.documentId, playing, position: v.position, rate, at: now, by: role };
    this.room.update(v.engagementId, { video });
    this.bus.send({ engagementId: v.engagementId, event: DOC_EV.videoChanged, payloadFor: () => ({ engagementId: v.engagementId, video, serverTime: Date.now() }), except: socketId });
    return { video, serverTime: now };
  }

  async calc(p: Principal, c: ClientPayload<'doc/calc'>, socketId: string): Promise<{ calculator: CalculatorState }> {
    const { role } = await this.docs.writer(p, c.engagementId);
    const r = c.input.trim() ? calculate(c.input) : null;
    const calculator: CalculatorState = { input: c.input, result: r ? (r.ok ? r.text : r.error) : null, ok: r ? r.ok : true, by: role };
    this.room.update(c.engagementId, { calculator });
    await this.docs.broadcastRoom(c.engagementId, socketId);
    return { calculator };
  }

  /** A ready PDF or image of this engagement (what can be marked, filled, signed and exported). */
  private async markable(engagementId: string, documentId: string): Promise<DocRow> {
    const d = await this.docs.documentIn(engagementId, documentId);
    if (d.status !== 'ready') throw new InvalidStateError(d.status === 'converting' ? 'This document is still being converted.' : 'This document could not be prepared.');
    if (d.kind === 'video') throw new InvalidPayloadError('A video cannot be marked.');
    this.owner.set(d.id, engagementId);
    return d;
  }

  private async assertOwned(engagementId: string, documentId: string): Promise<void> {
    const known = this.owner.get(documentId);
    if (known === engagementId) return;
    if (known !== undefined) throw new NotFoundError('No such document in this engagement.');
    await this.docs.documentIn(engagementId, documentId);
    this.owner.set(documentId, engagementId);
  }
}

/** A drawn signature must be a PNG (magic and header) within SIGNATURE_MAX; nothing else is embedded. */
export function checkSignaturePng(dataUrl: string): void {
  const b = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  const isPng = b.length >= 33 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && b.subarray(12, 16).toString('latin1') === 'IHDR';
  if (!isPng) throw new InvalidPayloadError('The signature is not a PNG image.');
  const w = b.readUInt32BE(16);
  const h = b.readUInt32BE(20);
  if (w < 1 || h < 1 || w > SIGNATURE_MAX.width || h > SIGNATURE_MAX.height) throw new InvalidPayloadError(`The signature image is ${w} × ${h} pixels; at most ${SIGNATURE_MAX.width} × ${SIGNATURE_MAX.height} are accepted.`);
}

