/**
 * Proxy co-browse: a server-side browser (a proxy worker) that the customer and the agent both see
 * and drive. Two halves: the socket events between clients and the backend (`proxy/*`), and the
 * control channel the backend speaks to each proxy worker over WebSocket (Bearer PROXY_SECRET).
 */
import { z } from 'zod';
import { PROXY_EV } from './proxy-events';

// ───────────────────────────── socket events (client ⇄ backend) ─────────────────────────────


export const PROXY_STATUSES = ['off', 'starting', 'running'] as const;
export type ProxyStatus = (typeof PROXY_STATUSES)[number];
export type ProxyDriver = 'agent' | 'customer';

export interface ProxyView {
  engagementId: string;
  status: ProxyStatus;
  /** The page the shared browser shows (or last showed, once off). */
  url: string | null;
  title: string | null;
  /** Who drives the page now; null while off. */
  driver: ProxyDriver | null;
  /** The last URL refusal, in words ("blocked: loopback address 127.0.0.1"); cleared by the next page. */
  blockedReason: string | null;
  /** Why the shared browser stopped, in words for people; null while it runs. */
  reason: string | null;
  /** A JavaScript dialog of the page waits for `for` (the driver) to answer; its text goes to them only (`proxy/dialog`). */
  dialog: { id: number; for: ProxyDriver; name: string; type: ProxyDialogType } | null;
}

/** beforeunload dialogs never reach people: the worker accepts them (leaving a page is never blocked). */
export type ProxyDialogType = 'alert' | 'confirm' | 'prompt';

/** The page's dialog, as the driver answers it. */
export interface ProxyDialog {
  engagementId: string;
  /** Answers name this id; a stale answer (the dialog is gone) is refused. */
  id: number;
  type: ProxyDialogType;
  message: string;
  /** The prompt's prefilled text ('' for alert and confirm). */
  defaultValue: string;
}

/** The other participant's pointer, normalized to the emulated viewport (0..1); `visible: false` once it left. */
export interface ProxyPeerPointer {
  engagementId: string;
  from: ProxyDriver;
  name: string;
  x: number;
  y: number;
  visible: boolean;
}

/** The customer's device, reported from the join page. */
export interface ProxyDevice {
  width: number;
  height: number;
  deviceScaleFactor: number;
  isMobile: boolean;
  hasTouch: boolean;
  locale?: string;
  timezone?: string;
}

export interface ProxyFrame {
  engagementId: string;
  seq: number;
  /**
   * The JPEG's bytes, as a socket.io binary attachment (no base64 on the wire, none to undo in the
   * page): sent as a Buffer, received as an ArrayBuffer in a browser (a Buffer in Node). Untrusted
   * on arrival: `checkProxyFrame` before decoding.
   */
  data: ArrayBuffer | Uint8Array;
  /** Width and height of the page in CSS pixels: input coordinates are in this space. */
  width: number;
  height: number;
}

/** What a viewer accepts of a frame: bytes (socket cap), JPEG pixels per side (3840 CSS px at the worker's DPR cap of 2), page CSS size. */
export const PROXY_FRAME_LIMITS = { maxBytes: 4 * 2 ** 20, maxSide: 7680, maxCssSide: 3840 } as const;

export type ProxyFrameErrorCode = 'frame_not_bytes' | 'frame_too_large' | 'frame_not_jpeg' | 'frame_bad_size';

/** A frame fit to decode: its bytes, the page size it claims (sane) and the JPEG's own size (capped). */
export type ProxyFrameCheck =
  | { ok: true; bytes: Uint8Array; width: number; height: number; jpegWidth: number; jpegHeight: number }
  | { ok: false; code: ProxyFrameErrorCode; message: string };

/**
 * Validates a received `proxy/frame` before anything is decoded or sized from it: the bytes are a
 * JPEG (its header read, not decoded) no larger than PROXY_FRAME_LIMITS, and the page size is a sane
 * integer size. A viewer sizes its canvas from the JPEG's header, never from a number it was sent.
 */
export function checkProxyFrame(f: unknown): ProxyFrameCheck {
  const frame = f as Partial<ProxyFrame> | null;
  const data = frame?.data;
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  if (!bytes) return { ok: false, code: 'frame_not_bytes', message: 'The frame carries no image bytes.' };
  if (bytes.byteLength > PROXY_FRAME_LIMITS.maxBytes) return { ok: false, code: 'frame_too_large', message: `The frame is ${bytes.byteLength} bytes, more than ${PROXY_FRAME_LIMITS.maxBytes}.` };
  const size = jpegSize(bytes);
  if (!size) return { ok: false, code: 'frame_not_jpeg', message: 'The frame is not a JPEG image.' };
  const { maxSide, maxCssSide } = PROXY_FRAME_LIMITS;
  if (size.width > maxSide || size.height > maxSide) return { ok: false, code: 'frame_too_large', message: `The frame is ${size.width}×${size.height} pixels, more than ${maxSide} a side.` };
  const css = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= maxCssSide;
  if (!css(frame?.width) || !css(frame?.height)) return { ok: false, code: 'frame_bad_size', message: `The frame's page size must be whole CSS pixels from 1 to ${maxCssSide}.` };
  return { ok: true, bytes, width: frame!.width!, height: frame!.height!, jpegWidth: size.width, jpegHeight: size.height };
}

/** Width and height from a JPEG's start-of-frame header (null when the bytes are not a JPEG): read, never decoded. */
export function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 8 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame header
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2) return null;
    // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + len;
  }
  return null;
}

// ───────────────────────────── worker control channel (backend ⇄ proxy worker) ─────────────────────────────

export const PROXY_WORKER_EV = {
  // backend → worker (requests, each answered by `proxy/reply` with the same `rid`)
  SessionCreate: 'session/create',
  SessionInput: 'session/input',
  SessionNavigate: 'session/navigate',
  SessionDialogAnswer: 'session/dialog-answer',
  SessionClose: 'session/close',
  // worker → backend
  Reply: 'proxy/reply',
  Frame: 'session/frame',
  Navigated: 'session/navigated',
  Dialog: 'session/dialog',
  DialogClosed: 'session/dialog-closed',
  Blocked: 'session/blocked',
  DownloadRefused: 'session/download-refused',
  Closed: 'session/closed',
  Capacity: 'worker/capacity',
} as const;

/** The worker's control endpoint path (ws://host:port/control). */
export const PROXY_WORKER_CONTROL_PATH = '/control';

export const proxyViewportSchema = z.object({
  width: z.number().int().min(200).max(3840),
  height: z.number().int().min(200).max(3840),
  deviceScaleFactor: z.number().min(1).max(4).default(1),
  isMobile: z.boolean().default(false),
  hasTouch: z.boolean().default(false),
});
export type ProxyViewport = z.infer<typeof proxyViewportSchema>;

const localeSchema = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'locale must be a BCP 47 tag such as en-US');

export const proxySessionOptionsSchema = z.object({
  viewport: proxyViewportSchema,
  userAgent: z.string().max(512).optional(),
  locale: localeSchema.default('en-US'),
  timezoneId: z.string().min(1).max(64).default('UTC'),
  maskSelectors: z.array(z.string().min(1).max(256)).max(100).default([]),
  /** Opened once the session is ready. */
  startUrl: z.string().max(4096).optional(),
});
export type ProxySessionOptions = z.input<typeof proxySessionOptionsSchema>;
export type ResolvedProxySessionOptions = z.output<typeof proxySessionOptionsSchema>;

const point = { x: z.number().finite(), y: z.number().finite() };
const modifiers = z.number().int().min(0).max(15).optional();

/** Input in CSS pixels of the emulated viewport. */
export const proxyInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mouse'),
    type: z.enum(['move', 'down', 'up', 'click', 'wheel']),
    ...point,
    button: z.enum(['left', 'middle', 'right']).default('left'),
    clickCount: z.number().int().min(1).max(3).default(1),
    deltaX: z.number().finite().default(0),
    deltaY: z.number().finite().default(0),
    modifiers,
  }),
  z.object({ kind: z.literal('key'), type: z.enum(['down', 'up', 'press']), key: z.string().min(1).max(32), modifiers }),
  z.object({ kind: z.literal('text'), text: z.string().max(10_000) }),
  z.object({
    kind: z.literal('touch'),
    type: z.enum(['start', 'move', 'end', 'cancel']),
    points: z.array(z.object({ ...point, id: z.number().int().min(0).default(0) })).max(10),
  }),
]);
export type ProxyInput = z.input<typeof proxyInputSchema>;
export type ResolvedProxyInput = z.output<typeof proxyInputSchema>;

export const proxyNavigateSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('goto'), url: z.string().min(1).max(4096) }),
  z.object({ action: z.enum(['back', 'forward', 'reload']) }),
]);
export type ProxyNavigateCommand = z.infer<typeof proxyNavigateSchema>;

const sid = z.string().min(1).max(64);
const rid = z.union([z.string().max(64), z.number()]);

/** Every request the backend may send a worker, validated by the worker before it is acted on. */
export const proxyWorkerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal(PROXY_WORKER_EV.SessionCreate), rid, options: proxySessionOptionsSchema }),
  z.object({ type: z.literal(PROXY_WORKER_EV.SessionInput), rid, sessionId: sid, input: proxyInputSchema }),
  z.object({ type: z.literal(PROXY_WORKER_EV.SessionNavigate), rid, sessionId: sid, command: proxyNavigateSchema }),
  z.object({ type: z.literal(PROXY_WORKER_EV.SessionDialogAnswer), rid, sessionId: sid, accept: z.boolean(), text: z.string().max(10_000).optional() }),
  z.object({ type: z.literal(PROXY_WORKER_EV.SessionClose), rid, sessionId: sid }),
]);
export type ProxyWorkerRequest = z.infer<typeof proxyWorkerRequestSchema>;
/** A request as the backend writes it (defaults may be left out). */
export type ProxyWorkerRequestInput = z.input<typeof proxyWorkerRequestSchema>;

export interface ProxyFrameMetadata {
  offsetTop: number;
  pageScaleFactor: number;
  deviceWidth: number;
  deviceHeight: number;
  scrollOffsetX: number;
  scrollOffsetY: number;
  timestamp?: number;
}
export type ProxyCloseReason = 'closed' | 'max-duration' | 'memory' | 'crashed' | 'unresponsive' | 'control-lost' | 'shutdown' | 'error';

/** What `session/navigate` answers. */
export type ProxyNavigateResult = { ok: true; url: string } | { ok: false; reason: string };

/** A worker's frame as it travels: the JPEG's bytes (no base64) behind a small JSON header. */
export type ProxyWorkerFrame = Extract<ProxyWorkerNotification, { type: typeof PROXY_WORKER_EV.Frame }>;

/** First byte of a binary control message: what follows (only frames travel binary). */
const WORKER_BINARY_FRAME = 0x01;

const workerFrameHeaderSchema = z.object({
  sessionId: sid,
  seq: z.number().int().min(0),
  metadata: z.object({
    offsetTop: z.number().finite(),
    pageScaleFactor: z.number().finite(),
    deviceWidth: z.number().finite().min(0),
    deviceHeight: z.number().finite().min(0),
    scrollOffsetX: z.number().finite(),
    scrollOffsetY: z.number().finite(),
    timestamp: z.number().finite().optional(),
  }),
});

/**
 * A frame as one binary WebSocket message: [0x01][header length, uint32 BE][header JSON, UTF-8][JPEG].
 * The JPEG is copied once, never base64-encoded; the receiver slices it out without a copy.
 */
export function encodeWorkerFrame(f: { sessionId: string; seq: number; metadata: ProxyFrameMetadata }, jpeg: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ sessionId: f.sessionId, seq: f.seq, metadata: f.metadata }));
  const out = new Uint8Array(5 + header.length + jpeg.length);
  out[0] = WORKER_BINARY_FRAME;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(1, header.length);
  out.set(header, 5);
  out.set(jpeg, 5 + header.length);
  return out;
}

/** Reads a binary control message back (validated: its header against the schema); null if it is not a well-formed frame. */
export function decodeWorkerFrame(msg: Uint8Array): ProxyWorkerFrame | null {
  if (msg.length < 5 || msg[0] !== WORKER_BINARY_FRAME) return null;
  const n = new DataView(msg.buffer, msg.byteOffset, msg.byteLength).getUint32(1);
  if (5 + n > msg.length) return null;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(msg.subarray(5, 5 + n)));
  } catch {
    return null;
  }
  const parsed = workerFrameHeaderSchema.safeParse(header);
  if (!parsed.success) return null;
  return { type: PROXY_WORKER_EV.Frame, ...parsed.data, data: msg.subarray(5 + n) };
}

/** Everything a worker sends. */
export type ProxyWorkerNotification =
  | { type: typeof PROXY_WORKER_EV.Reply; rid: string | number; ok: true; result?: unknown }
  | { type: typeof PROXY_WORKER_EV.Reply; rid: string | number | null; ok: false; error: { code: string; message: string } }
  /** A screencast frame: a binary WebSocket message (`encodeWorkerFrame`), never JSON; `data` is the JPEG's bytes. */
  | { type: typeof PROXY_WORKER_EV.Frame; sessionId: string; seq: number; data: Uint8Array; metadata: ProxyFrameMetadata }
  | { type: typeof PROXY_WORKER_EV.Navigated; sessionId: string; url: string; title: string }
  | { type: typeof PROXY_WORKER_EV.Dialog; sessionId: string; dialogType: ProxyDialogType; message: string; defaultValue: string }
  /** The dialog is gone (answered, or closed by the page going away). */
  | { type: typeof PROXY_WORKER_EV.DialogClosed; sessionId: string }
  | { type: typeof PROXY_WORKER_EV.Blocked; sessionId: string; target: string; reason: string }
  | { type: typeof PROXY_WORKER_EV.DownloadRefused; sessionId: string; url: string; filename: string }
  | { type: typeof PROXY_WORKER_EV.Closed; sessionId: string; reason: ProxyCloseReason; detail?: string }
  /**
   * The worker's registration, sent first on every control connection and again whenever it changes:
   * who it is (one id per process, so two addresses of one worker count once), how many sessions it
   * takes and holds, and whether it is draining (no new sessions: the backend stops placing there).
   */
  | { type: typeof PROXY_WORKER_EV.Capacity; workerId: string; maxSessions: number; active: number; draining: boolean };

// ───────────────────────────── catalog ─────────────────────────────

declare module './events' {
  interface ClientResults {
    'proxy/start': { proxy: ProxyView };
    'proxy/device': Record<string, never>;
    'proxy/input': Record<string, never>;
    'proxy/navigate': { proxy: ProxyView };
    'proxy/control': { proxy: ProxyView };
    'proxy/stop': { proxy: ProxyView };
    'proxy/dialog-answer': { proxy: ProxyView };
    'proxy/pointer': Record<string, never>;
  }
  interface ServerPayloads {
    'proxy/state': ProxyView;
    'proxy/frame': ProxyFrame;
    'proxy/dialog': ProxyDialog;
    'proxy/peer-pointer': ProxyPeerPointer;
  }
}

const engagementId = z.string().uuid();

export const proxyDeviceSchema = z.object({
  width: z.number().int().min(200).max(3840),
  height: z.number().int().min(200).max(3840),
  deviceScaleFactor: z.number().min(1).max(4),
  isMobile: z.boolean(),
  hasTouch: z.boolean(),
  locale: localeSchema.max(35).optional(),
  timezone: z.string().min(1).max(64).optional(),
});

/** Runtime schemas of the client→server proxy events. */
export const proxyClientSchemas = {
  [PROXY_EV.start]: z.object({ engagementId, url: z.string().trim().min(1).max(4096), device: proxyDeviceSchema.optional() }),
  [PROXY_EV.device]: z.object({ engagementId, device: proxyDeviceSchema }),
  [PROXY_EV.input]: z.object({ engagementId, input: proxyInputSchema }),
  [PROXY_EV.navigate]: z.object({ engagementId, command: proxyNavigateSchema }),
  [PROXY_EV.control]: z.object({ engagementId }),
  [PROXY_EV.stop]: z.object({ engagementId }),
  [PROXY_EV.dialogAnswer]: z.object({ engagementId, dialogId: z.number().int().min(1), accept: z.boolean(), text: z.string().max(10_000).optional() }),
  [PROXY_EV.pointer]: z.object({ engagementId, x: z.number().min(0).max(1), y: z.number().min(0).max(1), visible: z.boolean() }),
} as const;
