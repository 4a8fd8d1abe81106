import type { Annotation, DocErrorCode, DocKind, DocOrigin, DocParty, DocStatus, DocumentView, FieldValue, FormFieldView, NormRect, SignatureView } from '@engage/protocol';
import type { DataSource, EntityManager } from 'typeorm';
import { queryReturning } from '../database/returning';
import type { Audience } from './document-bus';
import { isFilled, type FieldDefinition } from './pdf-fields';
import type { Variant } from './storage';
import type { UrlSigner } from './url-signer';

/** A row of `documents`. */
export interface DocRow {
  id: string;
  engagementId: string;
  name: string;
  kind: DocKind;
  sourceType: string;
  status: DocStatus;
  errorCode: DocErrorCode | null;
  errorMessage: string | null;
  size: number;
  storedBytes: number;
  sha256: string;
  pages: number | null;
  pageSizes: Array<{ width: number; height: number }> | null;
  width: number | null;
  height: number | null;
  protected: boolean;
  variants: Variant[];
  fields: FieldDefinition[];
  uploadedByRole: DocParty;
  uploadedByName: string;
  origin: DocOrigin;
  derivedFrom: string | null;
  createdAt: Date;
}

export interface FieldStateRow {
  documentId: string;
  name: string;
  value: FieldValue | null;
  byRole: DocParty | null;
  customerOnly: boolean;
  required: boolean | null;
}

export interface SignatureRow {
  id: string;
  documentId: string;
  field: string | null;
  page: number;
  rect: NormRect;
  signerRole: DocParty;
  signerName: string;
  image: string;
  signedAt: Date;
}

type Db = DataSource | EntityManager;

const DOC_COLUMNS = `id, engagement_id AS "engagementId", name, kind, source_type AS "sourceType", status, error_code AS "errorCode", error_message AS "errorMessage",
  size::float8 AS size, stored_bytes::float8 AS "storedBytes", sha256, pages, page_sizes AS "pageSizes", width, height, protected, variants, fields,
  uploaded_by_role AS "uploadedByRole", uploaded_by_name AS "uploadedByName", origin, derived_from AS "derivedFrom", created_at AS "createdAt"`;

/** The SQL of the document room (raw queries: a handful of small tables). */
export const records = {
  async insertDocument(m: Db, d: Omit<DocRow, 'createdAt'>): Promise<void> {
    await m.query(
      `INSERT INTO documents (id, engagement_id, name, kind, source_type, status, error_code, error_message, size, stored_bytes, sha256, pages, page_sizes, width, height, protected, variants, fields, uploaded_by_role, uploaded_by_name, origin, derived_from)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$16,$17,$18::jsonb,$19,$20,$21,$22)`,
      [d.id, d.engagementId, d.name, d.kind, d.sourceType, d.status, d.errorCode, d.errorMessage, d.size, d.storedBytes, d.sha256, d.pages, JSON.stringify(d.pageSizes), d.width, d.height, d.protected, d.variants, JSON.stringify(d.fields), d.uploadedByRole, d.uploadedByName, d.origin, d.derivedFrom],
    );
  },

  async markReady(m: Db, id: string, r: { pages: number | null; pageSizes: DocRow['pageSizes']; protected: boolean; variants: Variant[]; fields: FieldDefinition[]; addedBytes: number }): Promise<void> {
    await m.query(
      `UPDATE documents SET status = 'ready', pages = $2, page_sizes = $3::jsonb, protected = $4, variants = $5, fields = $6::jsonb, stored_bytes = stored_bytes + $7 WHERE id = $1`,
      [id, r.pages, JSON.stringify(r.pageSizes), r.protected, r.variants, JSON.stringify(r.fields), r.addedBytes],
    );
  },

  async markFailed(m: Db, id: string, code: DocErrorCode, message: string): Promise<void> {
    await m.query(`UPDATE documents SET status = 'failed', error_code = $2, error_message = $3 WHERE id = $1`, [id, code, message]);
  },

  async document(m: Db, id: string): Promise<DocRow | null> {
    const rows: DocRow[] = await m.query(`SELECT ${DOC_COLUMNS} FROM documents WHERE id = $1`, [id]);
    return rows[0] ?? null;
  },

  async documentsOf(m: Db, engagementId: string): Promise<DocRow[]> {
    return m.query(`SELECT ${DOC_COLUMNS} FROM documents WHERE engagement_id = $1 ORDER BY created_at, id`, [engagementId]);
  },

  async usedBytes(m: Db, engagementId: string): Promise<number> {
    const rows: Array<{ used: number }> = await m.query(`SELECT COALESCE(SUM(stored_bytes), 0)::float8 AS used FROM documents WHERE engagement_id = $1`, [engagementId]);
    return rows[0]?.used ?? 0;
  },

  async fieldStates(m: Db, documentIds: string[]): Promise<FieldStateRow[]> {
    if (!documentIds.length) return [];
    return m.query(
      `SELECT document_id AS "documentId", name, value, by_role AS "byRole", customer_only AS "customerOnly", required FROM doc_field_state WHERE document_id = ANY($1::uuid[])`,
      [documentIds],
    );
  },

  async setFieldValue(m: Db, documentId: string, name: string, value: FieldValue, by: DocParty): Promise<void> {
    await m.query(
      `INSERT INTO doc_field_state (document_id, name, value, by_role) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (document_id, name) DO UPDATE SET value = EXCLUDED.value, by_role = EXCLUDED.by_role, updated_at = now()`,
      [documentId, name, JSON.stringify(value), by],
    );
  },

  async setFieldPolicy(m: Db, documentId: string, name: string, p: { customerOnly?: boolean; required?: boolean }): Promise<void> {
    await m.query(
      `INSERT INTO doc_field_state (document_id, name, customer_only, required) VALUES ($1, $2, COALESCE($3, false), $4)
       ON CONFLICT (document_id, name) DO UPDATE SET customer_only = COALESCE($3, doc_field_state.customer_only), required = COALESCE($4, doc_field_state.required), updated_at = now()`,
      [documentId, name, p.customerOnly ?? null, p.required ?? null],
    );
  },

  async signatures(m: Db, documentIds: string[]): Promise<SignatureRow[]> {
    if (!documentIds.length) return [];
    return m.query(
      `SELECT id, document_id AS "documentId", field, page, rect, signer_role AS "signerRole", signer_name AS "signerName", image, signed_at AS "signedAt"
       FROM doc_signatures WHERE document_id = ANY($1::uuid[]) ORDER BY signed_at, id`,
      [documentIds],
    );
  },

  async insertSignature(m: Db, s: Omit<SignatureRow, 'id' | 'signedAt'>): Promise<SignatureRow> {
    const rows: SignatureRow[] = await m.query(
      `INSERT INTO doc_signatures (document_id, field, page, rect, signer_role, signer_name, image) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
       RETURNING id, document_id AS "documentId", field, page, rect, signer_role AS "signerRole", signer_name AS "signerName", image, signed_at AS "signedAt"`,
      [s.documentId, s.field, s.page, JSON.stringify(s.rect), s.signerRole, s.signerName, s.image],
    );
    return rows[0];
  },

  async annotations(m: Db, documentId: string): Promise<Annotation[]> {
    const rows: Array<Omit<Annotation, 'author' | 'createdAt'> & { authorRole: DocParty; authorName: string; createdAt: Date }> = await m.query(
      `SELECT id, document_id AS "documentId", page, tool, points, color, width, text, author_role AS "authorRole", author_name AS "authorName", created_at AS "createdAt"
       FROM doc_annotations WHERE document_id = $1 ORDER BY created_at, id`,
      [documentId],
    );
    return rows.map(({ authorRole, authorName, createdAt, ...a }) => ({ ...a, author: { role: authorRole, name: authorName }, createdAt: createdAt.toISOString() }));
  },

  async countAnnotations(m: Db, documentId: string): Promise<number> {
    const rows: Array<{ n: number }> = await m.query(`SELECT COUNT(*)::int AS n FROM doc_annotations WHERE document_id = $1`, [documentId]);
    return rows[0].n;
  },

  /** Inserts unless an annotation with this id exists (a redo re-adds the same mark); returns the stored one. */
  async addAnnotation(m: Db, a: Annotation): Promise<{ annotation: Annotation; created: boolean }> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO doc_annotations (id, document_id, page, tool, points, color, width, text, author_role, author_name, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [a.id, a.documentId, a.page, a.tool, JSON.stringify(a.points), a.color, a.width, a.text, a.author.role, a.author.name, a.createdAt],
    );
    if (inserted.length) return { annotation: a, created: true };
    const rows: Array<{ documentId: string }> = await m.query(`SELECT document_id AS "documentId" FROM doc_annotations WHERE id = $1`, [a.id]);
    const existing = (await records.annotations(m, rows[0]?.documentId ?? a.documentId)).find((x) => x.id === a.id);
    return { annotation: existing ?? a, created: false };
  },

  async removeAnnotation(m: Db, documentId: string, id: string): Promise<boolean> {
    const rows = await queryReturning<{ id: string }>(m, `DELETE FROM doc_annotations WHERE id = $1 AND document_id = $2 RETURNING id`, [id, documentId]);
    return rows.length > 0;
  },

  async audit(m: Db, engagementId: string, type: string, actor: 'customer' | 'agent' | 'system', detail: Record<string, unknown>): Promise<void> {
    await m.query('INSERT INTO engagement_events (engagement_id, type, actor, detail) VALUES ($1, $2, $3, $4::jsonb)', [engagementId, type, actor, JSON.stringify(detail)]);
  },
};

/** The effective state of one field for one audience (customer-only values stay with the customer). */
export function fieldView(def: FieldDefinition, state: FieldStateRow | undefined, signed: boolean, audience: Audience): FormFieldView {
  const value = state?.byRole ? state.value : def.initial;
  const customerOnly = state?.customerOnly ?? false;
  const filled = def.type === 'signature' ? signed : isFilled(value);
  return {
    name: def.name,
    type: def.type,
    page: def.page,
    rect: def.rect,
    options: def.options,
    multiline: def.multiline,
    multiSelect: def.multiSelect,
    required: state?.required ?? def.required,
    customerOnly,
    value: customerOnly && audience !== 'customer' ? null : filled ? value : null,
    filled,
    by: state?.byRole ?? null,
  };
}

export function signatureView(s: SignatureRow): SignatureView {
  return { id: s.id, field: s.field, page: s.page, rect: s.rect, signerName: s.signerName, signedAt: s.signedAt.toISOString(), image: s.image };
}

/** A document as one audience sees it, with freshly signed content URLs. */
export function documentView(d: DocRow, states: FieldStateRow[], signatures: SignatureRow[], audience: Audience, urls: UrlSigner): DocumentView {
  const mine = states.filter((s) => s.documentId === d.id);
  const sigs = signatures.filter((s) => s.documentId === d.id);
  const ready = d.status === 'ready';
  const isPdf = d.kind === 'pdf';
  return {
    id: d.id,
    engagementId: d.engagementId,
    name: d.name,
    kind: d.kind,
    sourceType: d.sourceType,
    status: d.status,
    error: d.errorCode ? { code: d.errorCode, message: d.errorMessage ?? '' } : null,
    size: d.size,
    sha256: d.sha256,
    pages: d.pages,
    pageSizes: d.pageSizes,
    width: d.width,
    height: d.height,
    uploadedBy: { role: d.uploadedByRole, name: d.uploadedByName },
    createdAt: d.createdAt.toISOString(),
    origin: d.origin,
    derivedFrom: d.derivedFrom,
    urls: {
      original: urls.url(d.id, 'original'),
      pdf: ready && isPdf ? urls.url(d.id, 'pdf') : null,
      // Images: the client scales the image itself (no server-side decoding of uploaded pixels).
      thumb: d.variants.includes('thumb') ? urls.url(d.id, 'thumb') : d.kind === 'image' ? urls.url(d.id, 'media') : null,
      page1: d.variants.includes('page1') ? urls.url(d.id, 'page1') : null,
      media: d.kind === 'image' || d.kind === 'video' ? urls.url(d.id, 'media') : null,
    },
    fields: d.fields.map((f) => fieldView(f, mine.find((s) => s.name === f.name), sigs.some((s) => s.field === f.name), audience)),
    signatures: sigs.map(signatureView),
  };
}
