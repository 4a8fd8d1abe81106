import { z } from 'zod';
import { EV, type ClientEvent } from './events';
import { LIMITS } from './limits';

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

export const listEngagementsQuerySchema = z.object({
  state: z.enum(['requested', 'active', 'ended']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
