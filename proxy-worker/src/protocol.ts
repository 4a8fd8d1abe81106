// Messages between the backend and a proxy worker. Lives here until the lead moves it into
// libs/protocol; nothing else in this service spells an event name.
import { z } from 'zod';

export const ProxyEvent = {
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
  Blocked: 'session/blocked',
  DownloadRefused: 'session/download-refused',
  Closed: 'session/closed',
  Capacity: 'worker/capacity',
} as const;

export const viewportSchema = z.object({
  width: z.number().int().min(200).max(3840),
  height: z.number().int().min(200).max(3840),
  deviceScaleFactor: z.number().min(1).max(4).default(1),
  isMobile: z.boolean().default(false),
  hasTouch: z.boolean().default(false),
});
export type Viewport = z.infer<typeof viewportSchema>;

export const sessionOptionsSchema = z.object({
  viewport: viewportSchema,
  userAgent: z.string().max(512).optional(),
  locale: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'locale must be a BCP 47 tag such as en-US').default('en-US'),
  timezoneId: z.string().min(1).max(64).default('UTC'),
  maskSelectors: z.array(z.string().min(1).max(256)).max(100).default([]),
  /** Opened once the session is ready. */
  startUrl: z.string().max(4096).optional(),
});
export type SessionOptions = z.input<typeof sessionOptionsSchema>;
export type ResolvedSessionOptions = z.output<typeof sessionOptionsSchema>;

const point = { x: z.number().finite(), y: z.number().finite() };
const modifiers = z.number().int().min(0).max(15).optional();

/** Input in CSS pixels of the emulated viewport. */
export const inputSchema = z.discriminatedUnion('kind', [
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
export type SessionInput = z.input<typeof inputSchema>;
export type ResolvedInput = z.output<typeof inputSchema>;

export const navigateSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('goto'), url: z.string().min(1).max(4096) }),
  z.object({ action: z.enum(['back', 'forward', 'reload']) }),
]);
export type NavigateCommand = z.infer<typeof navigateSchema>;

const sid = z.string().min(1).max(64);
const rid = z.union([z.string().max(64), z.number()]);

/** Every request the backend may send, validated before it is acted on. */
export const requestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal(ProxyEvent.SessionCreate), rid, options: sessionOptionsSchema }),
  z.object({ type: z.literal(ProxyEvent.SessionInput), rid, sessionId: sid, input: inputSchema }),
  z.object({ type: z.literal(ProxyEvent.SessionNavigate), rid, sessionId: sid, command: navigateSchema }),
  z.object({ type: z.literal(ProxyEvent.SessionDialogAnswer), rid, sessionId: sid, accept: z.boolean(), text: z.string().max(10_000).optional() }),
  z.object({ type: z.literal(ProxyEvent.SessionClose), rid, sessionId: sid }),
]);
export type ProxyRequest = z.infer<typeof requestSchema>;

export interface FrameMetadata {
  offsetTop: number;
  pageScaleFactor: number;
  deviceWidth: number;
  deviceHeight: number;
  scrollOffsetX: number;
  scrollOffsetY: number;
  timestamp?: number;
}
export type CloseReason = 'closed' | 'max-duration' | 'memory' | 'crashed' | 'unresponsive' | 'control-lost' | 'shutdown' | 'error';

/** Everything the worker sends. */
export type ProxyNotification =
  | { type: typeof ProxyEvent.Reply; rid: string | number; ok: true; result?: unknown }
  | { type: typeof ProxyEvent.Reply; rid: string | number | null; ok: false; error: { code: string; message: string } }
  | { type: typeof ProxyEvent.Frame; sessionId: string; seq: number; data: string; metadata: FrameMetadata }
  | { type: typeof ProxyEvent.Navigated; sessionId: string; url: string; title: string }
  | { type: typeof ProxyEvent.Dialog; sessionId: string; dialogType: string; message: string; defaultValue: string }
  | { type: typeof ProxyEvent.Blocked; sessionId: string; target: string; reason: string }
  | { type: typeof ProxyEvent.DownloadRefused; sessionId: string; url: string; filename: string }
  | { type: typeof ProxyEvent.Closed; sessionId: string; reason: CloseReason; detail?: string }
  | { type: typeof ProxyEvent.Capacity; maxSessions: number; active: number };
