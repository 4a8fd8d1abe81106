import { z } from 'zod';
import { EV, type ClientEvent } from './events';
import { LIMITS } from './limits';
import { CONTROL_KEYS, SHOWN_MODES } from './model';
import { mediaClientSchemas } from './media';
import { proxyClientSchemas } from './proxy';
import { docClientSchemas } from './documents';

// Runtime schemas of everything a client sends. Kept apart from the names and types so that a
// bundle needing only those (the site snippet) does not carry zod.

export const uuidSchema = z.string().uuid();

const engagementId = uuidSchema;

/** The envelope of one rrweb event; its DOM payload is relayed, never interpreted. */
const recordedEvent = z.object({
  type: z.number().int().min(0).max(20),
  timestamp: z.number().finite().nonnegative(),
  data: z.unknown(),
});

const nodeId = z.number().int().min(0).max(2 ** 31 - 1);
const coord = z.number().finite().min(-1_000_000).max(1_000_000);

/** Where a replayed image came from: only web and blob URLs need the customer's page (a data: URL loads anywhere). */
const missingImageUrl = z
  .string()
  .max(LIMITS.missingImageUrlMaxChars)
  .regex(/^(https?:|blob:https?:)/i, 'an image URL starts with http:, https: or blob:');

/** One remote-control input of the agent (ControlInput). */
export const controlInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('click'), nodeId, x: coord, y: coord }),
  z.object({ type: z.literal('text'), nodeId, value: z.string().max(LIMITS.controlTextMaxChars) }),
  z.object({ type: z.literal('key'), nodeId, key: z.enum(CONTROL_KEYS) }),
  z.object({ type: z.literal('scroll'), nodeId: nodeId.nullable(), x: coord, y: coord }),
  z.object({ type: z.literal('select'), nodeId, value: z.string().max(LIMITS.controlTextMaxChars) }),
]);

/** Runtime schemas of client→server payloads. */
export const clientSchemas = {
  [EV.chatSend]: z.object({
    engagementId,
    clientId: z.string().min(1).max(LIMITS.clientIdMaxChars),
    body: z.string().min(1).max(LIMITS.chatBodyMaxChars),
  }),
  [EV.chatHistory]: z.object({
    engagementId,
    afterSeq: z.number().int().min(0),
  }),
  [EV.chatTyping]: z.object({ engagementId, typing: z.boolean() }),
  [EV.chatRead]: z.object({ engagementId, seq: z.number().int().min(0) }),
  [EV.engagementJoin]: z.object({ engagementId }),
  [EV.engagementLeave]: z.object({ engagementId }),
  [EV.engagementAccept]: z.object({ engagementId }),
  [EV.engagementEnd]: z.object({ engagementId }),
  [EV.engagementShowMode]: z.object({ engagementId, mode: z.enum(SHOWN_MODES) }),
  [EV.queueSubscribe]: z.object({}),
  [EV.cobrowseRequest]: z.object({ engagementId }),
  [EV.cobrowseRespond]: z.object({ engagementId, accept: z.boolean() }),
  [EV.cobrowseStop]: z.object({ engagementId }),
  [EV.cobrowsePage]: z.object({
    engagementId,
    url: z.string().url().max(2000),
    title: z.string().max(300),
    protected: z.boolean(),
  }),
  [EV.cobrowseRecord]: z.object({
    engagementId,
    events: z.array(recordedEvent).min(1).max(LIMITS.cobrowseEventsPerBatch),
  }),
  [EV.cobrowseWatch]: z.object({ engagementId }),
  [EV.cobrowseUnwatch]: z.object({ engagementId }),
  [EV.cobrowsePointer]: z.object({ engagementId, x: coord, y: coord, visible: z.boolean() }),
  [EV.cobrowseControlRequest]: z.object({ engagementId }),
  [EV.cobrowseControlRespond]: z.object({ engagementId, accept: z.boolean() }),
  [EV.cobrowseControlRevoke]: z.object({ engagementId }),
  [EV.cobrowseControlInput]: z.object({ engagementId, input: controlInputSchema }),
  [EV.cobrowseControlNote]: z.object({ engagementId, message: z.string().min(1).max(LIMITS.controlNoteMaxChars) }),
  [EV.cobrowseImagesMissing]: z.object({
    engagementId,
    images: z
      .array(z.object({ nodeId, url: missingImageUrl }))
      .min(1)
      .max(LIMITS.missingImagesPerReport),
  }),
  ...mediaClientSchemas,
  ...proxyClientSchemas,
  ...docClientSchemas,
} as const;

export function isClientEvent(name: string): name is ClientEvent {
  return Object.prototype.hasOwnProperty.call(clientSchemas, name);
}

// REST request bodies and queries.

export const loginSchema = z.object({
  email: z.string().email().max(200),
  password: z.string().min(1).max(200),
});

export const openEngagementSchema = z.object({
  customerName: z.string().trim().min(1).max(LIMITS.customerNameMaxChars).optional(),
  pageUrl: z.string().url().max(2000).optional(),
});

export const inviteSchema = z.object({
  customerName: z.string().trim().min(1).max(LIMITS.customerNameMaxChars).optional(),
});

export const joinSchema = z.object({
  code: z.string().trim().regex(/^\d{6}$/, 'The code has six digits.'),
  customerName: z.string().trim().min(1).max(LIMITS.customerNameMaxChars).optional(),
});

/** The agent types the code the customer reads from the widget ("Share this page"). */
export const redeemShareCodeSchema = z.object({
  code: z.string().trim().regex(/^\d{6}$/, 'The code has six digits.'),
});

export const listEngagementsQuerySchema = z.object({
  state: z.enum(['requested', 'active', 'ended']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
