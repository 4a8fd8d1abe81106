export const ROLES = ['customer', 'agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type StaffRole = Exclude<Role, 'customer'>;

export const ENGAGEMENT_STATES = ['requested', 'active', 'ended'] as const;
export type EngagementState = (typeof ENGAGEMENT_STATES)[number];

export const END_REASONS = ['agent', 'customer', 'timeout', 'error'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** How the customer reached us: the widget on a site, or an invitation link / short code. */
export const ENGAGEMENT_CHANNELS = ['widget', 'invite'] as const;
export type EngagementChannel = (typeof ENGAGEMENT_CHANNELS)[number];

export const CALL_STATES = ['off', 'audio', 'video'] as const;
export type CallState = (typeof CALL_STATES)[number];

export const COBROWSE_MODES = ['none', 'direct', 'proxy', 'document'] as const;
export type CobrowseMode = (typeof COBROWSE_MODES)[number];

/**
 * What a participant puts in front of them: the chat alone, or one co-browse mode beside it. A
 * switch to a mode that already runs is recorded as `mode.shown` (starting a mode records its own row).
 */
export const SHOWN_MODES = ['chat', 'direct', 'proxy', 'document'] as const;
export type ShownMode = (typeof SHOWN_MODES)[number];

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
}

/** The state of one engagement as every participant sees it. */
export interface EngagementView {
  id: string;
  state: EngagementState;
  channel: EngagementChannel;
  customerName: string;
  /** Page the customer was on when they opened the chat (widget channel). */
  pageUrl: string | null;
  agent: { id: string; displayName: string } | null;
  createdAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
  call: CallState;
  mode: CobrowseMode;
  /** Highest chat sequence number stored so far (0 = no message). */
  lastSeq: number;
  /** Highest sequence number each side has read. */
  readSeq: { customer: number; agent: number };
}

export const SENDER_ROLES = ['customer', 'agent', 'system'] as const;
export type SenderRole = (typeof SENDER_ROLES)[number];

export interface ChatMessage {
  engagementId: string;
  /** Per-engagement order, assigned by the server at commit. Increasing, not necessarily dense. */
  seq: number;
  /** Id chosen by the sending client; (engagementId, clientId) is unique. */
  clientId: string;
  sender: { role: SenderRole; name: string };
  body: string;
  sentAt: string;
}

/** Engagement timeline entry (state changes, later consents and mode switches). */
export interface TimelineEntry {
  id: number;
  engagementId: string;
  type: string;
  actor: SenderRole | 'supervisor';
  detail: Record<string, unknown>;
  at: string;
}

/**
 * Direct co-browse of one engagement: `requesting` waits for the customer's consent; `active`
 * mirrors the customer's page; `paused` while the customer is on a page the site marks protected.
 */
export const COBROWSE_STATUSES = ['off', 'requesting', 'active', 'paused'] as const;
export type CobrowseStatus = (typeof COBROWSE_STATUSES)[number];

/**
 * Remote control of a direct co-browse, with its own consent: `requesting` waits for the customer;
 * `granted` lets the agent click and type into the fields the site opened (`data-cobrowse="allow"`).
 */
export const CONTROL_STATUSES = ['none', 'requesting', 'granted'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

/** Keys the agent may press on the customer's page (typing itself travels as `text`). */
export const CONTROL_KEYS = ['Enter', 'Escape', 'Tab'] as const;
export type ControlKey = (typeof CONTROL_KEYS)[number];

/** One input of the agent on the customer's page; `nodeId` is rrweb's id of the target node. */
export type ControlInput =
  | { type: 'click'; nodeId: number; x: number; y: number }
  | { type: 'text'; nodeId: number; value: string }
  | { type: 'key'; nodeId: number; key: ControlKey }
  | { type: 'scroll'; nodeId: number | null; x: number; y: number }
  | { type: 'select'; nodeId: number; value: string };

export interface CobrowseView {
  engagementId: string;
  status: CobrowseStatus;
  /** Remote control (only ever other than `none` while active). */
  control: ControlStatus;
  /** Agent who asked (shown to the customer in the consent prompt and the banner). */
  agentName: string | null;
  /** Why the last session or request ended, in words for people (declined, stopped by the customer…). */
  reason: string | null;
  /** The customer's page while active or paused. */
  page: { url: string; title: string } | null;
  since: string | null;
}

/**
 * One rrweb event as it travels: type (rrweb's EventType), timestamp, data. The backend checks the
 * envelope and relays it to the viewers; it never interprets the DOM inside.
 */
export interface RecordedEvent {
  type: number;
  timestamp: number;
  data: unknown;
}
