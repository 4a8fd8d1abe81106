import type { ChatMessage, CobrowseView, ControlInput, EngagementView, RecordedEvent, Role, SenderRole, ShownMode, TimelineEntry } from './model';
import type { clientSchemas } from './schemas';
import type { z } from 'zod';

export type ClientEvent = keyof typeof clientSchemas;
export type ClientPayload<E extends ClientEvent> = z.infer<(typeof clientSchemas)[E]>;

/**
 * Every socket event, named `domain/action`. Client→server events are answered through the
 * socket.io acknowledgement callback with an `Ack<Result>`; server→client events carry a payload.
 */
export const EV = {
  // client → server
  chatSend: 'chat/send',
  chatHistory: 'chat/history',
  chatTyping: 'chat/typing',
  chatRead: 'chat/read',
  engagementJoin: 'engagement/join',
  engagementLeave: 'engagement/leave',
  engagementAccept: 'engagement/accept',
  engagementEnd: 'engagement/end',
  engagementShowMode: 'engagement/show-mode',
  queueSubscribe: 'queue/subscribe',
  cobrowseRequest: 'cobrowse/request',
  cobrowseRespond: 'cobrowse/respond',
  cobrowseStop: 'cobrowse/stop',
  cobrowsePage: 'cobrowse/page',
  cobrowseRecord: 'cobrowse/record',
  cobrowseWatch: 'cobrowse/watch',
  cobrowseUnwatch: 'cobrowse/unwatch',
  cobrowsePointer: 'cobrowse/pointer',
  cobrowseControlRequest: 'cobrowse/control-request',
  cobrowseControlRespond: 'cobrowse/control-respond',
  cobrowseControlRevoke: 'cobrowse/control-revoke',
  cobrowseControlInput: 'cobrowse/control-input',
  cobrowseControlNote: 'cobrowse/control-note',
  cobrowseImagesMissing: 'cobrowse/images-missing',
  // server → client
  chatMessage: 'chat/message',
  chatTypingChanged: 'chat/typing-changed',
  chatReadChanged: 'chat/read-changed',
  engagementUpdated: 'engagement/updated',
  engagementModeShown: 'engagement/mode-shown',
  queueUpdated: 'queue/updated',
  sessionError: 'session/error',
  cobrowseState: 'cobrowse/state',
  cobrowseEvents: 'cobrowse/events',
  cobrowseSnapshotNeeded: 'cobrowse/snapshot-needed',
  cobrowseRemotePointer: 'cobrowse/remote-pointer',
  cobrowseRemoteInput: 'cobrowse/remote-input',
  cobrowseControlNotice: 'cobrowse/control-notice',
  cobrowseImagesWanted: 'cobrowse/images-wanted',
} as const;

/** An image the agent's replay could not load: its rrweb node id and the URL the replay tried. */
export interface MissingImage {
  nodeId: number;
  url: string;
}

/** What each client→server event answers with when it succeeds. */
export interface ClientResults {
  'chat/send': { seq: number; sentAt: string; duplicate: boolean };
  'chat/history': { messages: ChatMessage[]; lastSeq: number; hasMore: boolean };
  'chat/typing': Record<string, never>;
  'chat/read': Record<string, never>;
  'engagement/join': { engagement: EngagementView };
  'engagement/leave': Record<string, never>;
  'engagement/accept': { engagement: EngagementView };
  'engagement/end': { engagement: EngagementView };
  /** A participant switched what they show (a mode that already runs, or back to the chat): recorded in the timeline. */
  'engagement/show-mode': { entry: TimelineEntry };
  'queue/subscribe': { queue: EngagementView[]; live: EngagementView[] };
  /** Agent asks the customer to share the page. */
  'cobrowse/request': { cobrowse: CobrowseView };
  /** Customer accepts or declines. */
  'cobrowse/respond': { cobrowse: CobrowseView };
  /** Either side ends sharing at once. */
  'cobrowse/stop': { cobrowse: CobrowseView };
  /** Customer reports the page it is on (a new page, an SPA route) and whether it is protected. */
  'cobrowse/page': { cobrowse: CobrowseView };
  /** Customer's recorder sends a batch of rrweb events (only while active). */
  'cobrowse/record': { accepted: number };
  /** A viewer (agent, supervisor) starts watching: the checkpoint replays the page as it is now. */
  'cobrowse/watch': { cobrowse: CobrowseView; checkpoint: RecordedEvent[] };
  'cobrowse/unwatch': Record<string, never>;
  /** The agent's laser pointer over the replay (customer viewport coordinates); relayed to the customer only. */
  'cobrowse/pointer': Record<string, never>;
  /** The assigned agent asks to control the page (needs its own consent). */
  'cobrowse/control-request': { cobrowse: CobrowseView };
  /** Customer allows or declines remote control. */
  'cobrowse/control-respond': { cobrowse: CobrowseView };
  /** Customer (take back control) or agent (release) ends remote control at once. */
  'cobrowse/control-revoke': { cobrowse: CobrowseView };
  /** One input of the agent holding control; relayed to the customer's page only. */
  'cobrowse/control-input': Record<string, never>;
  /** Customer's page refused an input (a private field…): the note goes to the viewers. */
  'cobrowse/control-note': Record<string, never>;
  /** The agent's replay could not load these images (they need the customer's cookies); relayed to the customer's page only. */
  'cobrowse/images-missing': Record<string, never>;
}

/** Payloads of server→client events. */
export interface ServerPayloads {
  'chat/message': ChatMessage;
  'chat/typing-changed': { engagementId: string; role: SenderRole; name: string; typing: boolean };
  'chat/read-changed': { engagementId: string; role: 'customer' | 'agent'; seq: number };
  'engagement/updated': EngagementView;
  /** To the other members of the room: someone switched what they show (the customer follows the agent). */
  'engagement/mode-shown': { engagementId: string; mode: ShownMode; by: 'customer' | 'agent'; entry: TimelineEntry };
  /** Full picture for staff: waiting engagements, and (supervisors) every live one. */
  'queue/updated': { queue: EngagementView[]; live: EngagementView[] };
  /** An error not tied to an acknowledged request (for example a refused handshake). */
  'session/error': { code: string; message: string };
  /** Co-browse state of an engagement, to every participant. */
  'cobrowse/state': CobrowseView;
  /** Recorded events, relayed to the viewers in the order the customer sent them. */
  'cobrowse/events': { engagementId: string; events: RecordedEvent[] };
  /** To the customer's recorder: send a fresh full snapshot (a new checkpoint). */
  'cobrowse/snapshot-needed': { engagementId: string };
  /** To the customer: where the agent points (hidden after idle or when `visible` is false). */
  'cobrowse/remote-pointer': { engagementId: string; x: number; y: number; visible: boolean; agentName: string };
  /** To the customer: one input of the agent holding control. */
  'cobrowse/remote-input': { engagementId: string; input: ControlInput };
  /** To the viewers: the customer's page refused an input, in words. */
  'cobrowse/control-notice': { engagementId: string; message: string };
  /** To the customer's recorder: images the agent's replay could not load; it may inline them (never masked or private ones). */
  'cobrowse/images-wanted': { engagementId: string; images: MissingImage[] };
}
export type ServerEvent = keyof ServerPayloads;

/** The identity a socket carries after its handshake. */
export type SocketPrincipal =
  | { role: 'customer'; engagementId: string; name: string }
  | { role: Exclude<Role, 'customer'>; userId: string; name: string };
