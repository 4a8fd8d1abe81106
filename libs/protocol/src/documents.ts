/**
 * Document room: files shared in an engagement (PDF, images, office files converted to PDF, video),
 * viewed together (presenter's page/zoom/scroll), marked up (annotations), filled (AcroForm fields),
 * signed, exported; a video watched in sync; a shared calculator.
 *
 * Uploads and downloads are REST (bytes, with progress); everything live is a socket event of the
 * `doc/*` domain, authorized against the engagement like every other domain.
 *
 * Coordinates of annotations, form fields and signature placements are normalized to the page:
 * x and y in 0..1 from the page's top-left corner, at rotation 0, independent of zoom.
 */
import { z } from 'zod';
import { DOC_EV } from './document-events';

// ───────────────────────────── limits ─────────────────────────────

export const DOC_LIMITS = {
  /** Largest upload, bytes (a default; the backend's DOC_MAX_UPLOAD_BYTES may lower it). */
  uploadMaxBytes: 50 * 1024 * 1024,
  /** Largest video upload, bytes. */
  videoMaxBytes: 200 * 1024 * 1024,
  /** An image declaring more pixels than this is refused before it is decoded. */
  imageMaxPixels: 40_000_000,
  /** Longest file name kept (longer names are cut). */
  fileNameMaxChars: 200,
  /** Points in one annotation (a pen stroke) at most. */
  annotationMaxPoints: 5_000,
  /** Points in one live stroke chunk at most. */
  strokeChunkMaxPoints: 200,
  /** Longest text note. */
  noteMaxChars: 2_000,
  /** Annotations per document at most. */
  annotationsPerDocument: 5_000,
  /** Longest value of one form field. */
  fieldValueMaxChars: 5_000,
  /** Largest signature image (PNG data URL), characters. */
  signatureMaxChars: 300_000,
  /** Longest calculator input. */
  calcInputMaxChars: 200,
  /** Video drift both sides correct to, ms. */
  videoDriftMs: 100,
} as const;

// ───────────────────────────── REST ─────────────────────────────

export const DOC_API = {
  /**
   * POST: upload one file to the engagement's room. The body is the file's raw bytes
   * (`Content-Type: application/octet-stream`), its name in the `X-File-Name` header
   * (encodeURIComponent). Answers 201 `{ document: DocumentView }` with status `ready`, or
   * `converting` for office files (progress then arrives as `doc/room`). Refusals answer 4xx
   * with `{ code, message }` (see DOC_ERROR_CODES).
   * GET: the room's documents, `{ documents: DocumentView[] }`.
   */
  documents: (engagementId: string) => `/api/engagements/${engagementId}/documents`,
  /**
   * GET: the bytes of a document: `?variant=original|pdf|thumb|page1|media` (`media`: the image or
   * video itself, inline; `original` is always a download). Authorized by the signed
   * `exp` and `sig` query parameters of the URLs in DocumentView (valid DOC_URL_TTL), so that
   * <img>, <video> and pdf.js can load them; answers `Content-Disposition`, `nosniff`, a strict
   * CSP, and honours `Range` (video seeking).
   */
  content: (documentId: string) => `/api/documents/${documentId}/content`,
} as const;

/** Header carrying the uploaded file's name (URI-encoded). */
export const DOC_FILE_NAME_HEADER = 'x-file-name';

/** Machine-readable reasons of a refused upload or document operation (also in ERROR_CODES). */
export const DOC_ERROR_CODES = [
  /** The bytes are none of the accepted types (whatever the name says): SVG, HTML, scripts, archives… */
  'unsupported_type',
  /** Zero bytes. */
  'empty_file',
  /** Over the size limit (HTTP 413 `payload_too_large` is used for the bytes themselves). */
  'file_too_large',
  /** An image declares more pixels than DOC_LIMITS.imageMaxPixels. */
  'image_too_large',
  /** The file cannot be opened (damaged, truncated). */
  'damaged_file',
  /** The PDF is encrypted with a password. */
  'encrypted_file',
  /** The engagement's storage quota would be exceeded. */
  'quota_exceeded',
  /** LibreOffice could not convert the office file (or took too long). */
  'conversion_failed',
  /** Completion refused: required form fields are empty (names in the message). */
  'fields_required',
] as const;
export type DocErrorCode = (typeof DOC_ERROR_CODES)[number];

// ───────────────────────────── model ─────────────────────────────

/** What a document is shown as. Office files become `pdf` once converted. */
export const DOC_KINDS = ['pdf', 'image', 'video'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

/** Where a document is in its life: `converting` (office files), `ready`, or `failed` (with a reason). */
export const DOC_STATUSES = ['converting', 'ready', 'failed'] as const;
export type DocStatus = (typeof DOC_STATUSES)[number];

/** `upload`: as uploaded (or converted); `export`: a marked copy; `signed`: the completed, signed copy. */
export type DocOrigin = 'upload' | 'export' | 'signed';

export type DocParty = 'agent' | 'customer';

export interface DocumentView {
  id: string;
  engagementId: string;
  name: string;
  kind: DocKind;
  /** The type decided from the bytes, e.g. `application/pdf`, `image/png`, `application/vnd.openxmlformats-officedocument.wordprocessingml.document`. */
  sourceType: string;
  status: DocStatus;
  /** Why it failed, for `failed`. */
  error: { code: DocErrorCode; message: string } | null;
  /** Bytes of the original upload. */
  size: number;
  /** SHA-256 (hex) of the original bytes. */
  sha256: string;
  /** PDF pages (once ready). */
  pages: number | null;
  /** Page sizes in PDF points (once ready), index 0 = page 1. */
  pageSizes: Array<{ width: number; height: number }> | null;
  /** Image or video size in pixels. */
  width: number | null;
  height: number | null;
  uploadedBy: { role: DocParty; name: string };
  createdAt: string;
  origin: DocOrigin;
  /** The document this one was exported or signed from. */
  derivedFrom: string | null;
  /** Signed URLs (see DOC_API.content), valid for a limited time; null where there is none. */
  urls: {
    /** The uploaded bytes (download, `attachment`). */
    original: string;
    /** The PDF to render (pdf documents). */
    pdf: string | null;
    /** A small image for the list (PNG). */
    thumb: string | null;
    /** Page 1 rendered by the server (PNG), shown while pdf.js loads. */
    page1: string | null;
    /** The playable file (video) or the image itself (image). */
    media: string | null;
  };
  /** AcroForm fields found in the PDF (empty when none). */
  fields: FormFieldView[];
  /** Signatures placed on this document. */
  signatures: SignatureView[];
}

export const FIELD_TYPES = ['text', 'checkbox', 'radio', 'choice', 'signature'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A field value: text and single choice → string; checkbox → boolean; multi-select list → string[]. */
export type FieldValue = string | boolean | string[];

export interface FormFieldView {
  /** Fully qualified AcroForm name. */
  name: string;
  type: FieldType;
  /** Page (1-based) and normalized rectangle of the field's (first) widget. */
  page: number;
  rect: NormRect;
  /** Choices of a radio group or list; for radio groups, each option's widget rectangle too. */
  options: Array<{ value: string; page?: number; rect?: NormRect }>;
  multiline: boolean;
  multiSelect: boolean;
  /** Completion is refused while a required field is empty. */
  required: boolean;
  /** Only the customer types it; the agent sees `filled` but `value` is null. */
  customerOnly: boolean;
  /** The value, or null when empty or hidden from this viewer. */
  value: FieldValue | null;
  filled: boolean;
  /** Who changed it last. */
  by: DocParty | null;
}

export interface NormRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SignatureView {
  id: string;
  /** The signature field it fills, or null when placed on a chosen spot. */
  field: string | null;
  page: number;
  rect: NormRect;
  signerName: string;
  signedAt: string;
  /** PNG data URL of the drawn signature. */
  image: string;
}

export const ANNOTATION_TOOLS = ['pen', 'highlighter', 'rect', 'ellipse', 'arrow', 'text'] as const;
export type AnnotationTool = (typeof ANNOTATION_TOOLS)[number];

/**
 * One mark on a page. `points` are normalized [x, y] pairs: a pen/highlighter stroke's points; the
 * two corners of rect/ellipse; the tail and head of an arrow; the anchor of a text note.
 */
export interface Annotation {
  /** Chosen by the drawing client (uuid), so a redo re-adds the same mark. */
  id: string;
  documentId: string;
  page: number;
  tool: AnnotationTool;
  points: Array<[number, number]>;
  /** CSS colour, decided by the server from the author's role. */
  color: string;
  /** Stroke width in page-normalized units (fraction of the page width). */
  width: number;
  text: string | null;
  author: { role: DocParty; name: string };
  createdAt: string;
}

/** Where the presenter is: everyone following sees the same page, zoom and scroll. */
export interface DocViewState {
  documentId: string | null;
  page: number;
  /** 1 = fit width. */
  zoom: number;
  /** Scroll position as fractions of the scrollable range, 0..1. */
  scrollX: number;
  scrollY: number;
}

/** Video in sync: the position at `at` (server time, epoch ms) and whether it plays from there. */
export interface VideoSyncState {
  documentId: string;
  playing: boolean;
  /** Seconds into the video at `at`. */
  position: number;
  rate: number;
  at: number;
  by: DocParty;
}

export interface CalculatorState {
  /** What is typed, e.g. `12.5*(3+4)`. */
  input: string;
  /** The result in words a person reads ("87.5"), or an error ("Cannot divide by zero"); null when empty. */
  result: string | null;
  ok: boolean;
  by: DocParty | null;
}

/** The whole room of an engagement, as `doc/open` answers and `doc/room` broadcasts. */
export interface DocRoomView {
  engagementId: string;
  documents: DocumentView[];
  /** Who presents (the others follow unless they roam); the agent by default. */
  presenter: DocParty;
  view: DocViewState;
  video: VideoSyncState | null;
  calculator: CalculatorState;
  /** Storage used and allowed, bytes. */
  usedBytes: number;
  quotaBytes: number;
}

// ───────────────────────────── socket events ─────────────────────────────


declare module './events' {
  interface ClientResults {
    'doc/open': { room: DocRoomView; serverTime: number };
    'doc/annotations': { annotations: Annotation[] };
    'doc/view': Record<string, never>;
    'doc/present': { room: DocRoomView };
    'doc/annotate': { annotation: Annotation };
    'doc/erase': Record<string, never>;
    'doc/stroke': Record<string, never>;
    'doc/field': { field: FormFieldView };
    'doc/field-policy': { field: FormFieldView };
    'doc/sign': { signature: SignatureView };
    'doc/export': { document: DocumentView };
    'doc/video': { video: VideoSyncState; serverTime: number };
    'doc/calc': { calculator: CalculatorState };
  }
  interface ServerPayloads {
    'doc/room': DocRoomView;
    'doc/view-changed': { engagementId: string; view: DocViewState; by: DocParty };
    'doc/annotation-added': { engagementId: string; annotation: Annotation };
    'doc/annotation-removed': { engagementId: string; documentId: string; id: string; by: DocParty };
    'doc/stroke-drawn': {
      engagementId: string;
      documentId: string;
      /** The annotation id the stroke will have once added. */
      id: string;
      page: number;
      tool: AnnotationTool;
      /** Points since the previous chunk (the receiver appends); `done` when the stroke ends. */
      points: Array<[number, number]>;
      done: boolean;
      color: string;
      width: number;
      by: DocParty;
    };
    'doc/field-changed': { engagementId: string; documentId: string; field: FormFieldView };
    'doc/video-changed': { engagementId: string; video: VideoSyncState; serverTime: number };
  }
}

const engagementId = z.string().uuid();
const documentId = z.string().uuid();
const unit = z.number().finite().min(0).max(1);
const page = z.number().int().min(1).max(10_000);
const point = z.tuple([unit, unit]);
const normRect = z.object({ x: unit, y: unit, w: unit, h: unit });

const annotationInput = z
  .object({
    id: z.string().uuid(),
    documentId,
    page,
    tool: z.enum(ANNOTATION_TOOLS),
    points: z.array(point).min(1).max(DOC_LIMITS.annotationMaxPoints),
    width: z.number().finite().min(0.0005).max(0.1),
    text: z.string().max(DOC_LIMITS.noteMaxChars).nullable().default(null),
  })
  .refine((a) => a.tool !== 'text' || (a.text !== null && a.text.trim().length > 0), { message: 'A text note needs its text.', path: ['text'] })
  .refine((a) => !['rect', 'ellipse', 'arrow'].includes(a.tool) || a.points.length === 2, { message: 'Shapes have exactly two points.', path: ['points'] });

const fieldValue = z.union([z.string().max(DOC_LIMITS.fieldValueMaxChars), z.boolean(), z.array(z.string().max(500)).max(100)]);

/** Runtime schemas of the client→server document events. */
export const docClientSchemas = {
  [DOC_EV.open]: z.object({ engagementId }),
  [DOC_EV.annotations]: z.object({ engagementId, documentId }),
  [DOC_EV.view]: z.object({
    engagementId,
    view: z.object({ documentId: documentId.nullable(), page, zoom: z.number().finite().min(0.25).max(8), scrollX: unit, scrollY: unit }),
  }),
  [DOC_EV.present]: z.object({ engagementId }),
  [DOC_EV.annotate]: z.object({ engagementId, annotation: annotationInput }),
  [DOC_EV.erase]: z.object({ engagementId, documentId, id: z.string().uuid() }),
  [DOC_EV.stroke]: z.object({
    engagementId,
    documentId,
    id: z.string().uuid(),
    page,
    tool: z.enum(['pen', 'highlighter']),
    points: z.array(point).max(DOC_LIMITS.strokeChunkMaxPoints),
    width: z.number().finite().min(0.0005).max(0.1),
    done: z.boolean().default(false),
  }),
  [DOC_EV.field]: z.object({ engagementId, documentId, name: z.string().min(1).max(500), value: fieldValue }),
  [DOC_EV.fieldPolicy]: z.object({ engagementId, documentId, name: z.string().min(1).max(500), customerOnly: z.boolean().optional(), required: z.boolean().optional() }),
  [DOC_EV.sign]: z.object({
    engagementId,
    documentId,
    /** A signature field's name, or a chosen spot (page + rect). */
    field: z.string().min(1).max(500).nullable().default(null),
    page: page.optional(),
    rect: normRect.optional(),
    image: z
      .string()
      .max(DOC_LIMITS.signatureMaxChars)
      .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/, 'The signature is a PNG data URL.'),
  }),
  [DOC_EV.export]: z.object({ engagementId, documentId, complete: z.boolean().default(false) }),
  [DOC_EV.video]: z.object({
    engagementId,
    documentId,
    action: z.enum(['play', 'pause', 'seek', 'rate']),
    position: z.number().finite().min(0).max(86_400),
    rate: z.number().finite().min(0.25).max(4).default(1),
  }),
  [DOC_EV.calc]: z.object({ engagementId, input: z.string().max(DOC_LIMITS.calcInputMaxChars) }),
} as const;
