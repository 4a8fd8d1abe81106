import type { z } from 'zod';
import type { inviteSchema, joinSchema, loginSchema, openEngagementSchema, redeemShareCodeSchema } from './schemas';
import type { ChatMessage, CobrowseView, EngagementView, TimelineEntry, UserView } from './model';

/** REST paths, relative to the backend origin. */
export const API = {
  login: '/api/auth/login',
  me: '/api/auth/me',
  /** POST: the widget opens an engagement for a site visitor (public, Origin-checked). */
  openEngagement: '/api/engagements/open',
  /** POST: an agent creates an engagement for a caller and gets a link and a short code. */
  invite: '/api/engagements/invite',
  /** POST: a customer redeems an invitation code. */
  join: '/api/join',
  /** GET: staff list (?state=requested|active|ended). */
  engagements: '/api/engagements',
  /** GET: one engagement with transcript and timeline (staff, or its own customer). */
  engagement: (id: string) => `/api/engagements/${id}`,
  health: '/health',
  metrics: '/metrics',
  docs: '/api/docs',
  widgetScript: '/widget.js',
  /** The co-browse recorder, loaded by the widget only after the customer's consent. */
  recorderScript: '/recorder.js',
  joinPage: '/join',
  /** POST: the customer shares this page without a chat: a 6-digit code for the agent (customer token). */
  shareCode: '/api/cobrowse/share-code',
  /** POST: the customer withdraws their unused share code (customer token). */
  cancelShareCode: '/api/cobrowse/share-code/cancel',
  /** POST: an agent redeems a customer's share code and starts co-browsing at once. */
  redeemShareCode: '/api/cobrowse/share-code/redeem',
} as const;

export type LoginRequest = z.infer<typeof loginSchema>;
export interface LoginResponse {
  token: string;
  user: UserView;
}

export type OpenEngagementRequest = z.infer<typeof openEngagementSchema>;

/** Answer to open and join: the engagement and the customer's engagement-scoped token. */
export interface CustomerSession {
  engagement: EngagementView;
  customerToken: string;
}

export type InviteRequest = z.infer<typeof inviteSchema>;
export interface InviteResponse {
  engagement: EngagementView;
  /** Short code the customer can type on the join page (6 digits). */
  code: string;
  joinUrl: string;
  expiresAt: string;
}

export type JoinRequest = z.infer<typeof joinSchema>;


export interface EngagementDetail {
  engagement: EngagementView;
  messages: ChatMessage[];
  timeline: TimelineEntry[];
}

/** The customer's code to read to the agent: 6 digits, single use, valid until `expiresAt`. */
export interface ShareCodeResponse {
  code: string;
  expiresAt: string;
}

export type RedeemShareCodeRequest = z.infer<typeof redeemShareCodeSchema>;
/** The engagement, now assigned to the agent, with direct co-browse already active. */
export interface RedeemShareCodeResponse {
  engagement: EngagementView;
  cobrowse: CobrowseView;
}
