import { EV, type ChatMessage, type EngagementView, type SenderRole } from '@engage/protocol';
import { RequestError, type EngageSocket } from './engage-socket';
import { memoryStore, readJson, writeJson, type KeyValueStore } from './storage';

export type ParticipantRole = 'customer' | 'agent' | 'supervisor';

export interface PendingMessage {
  clientId: string;
  body: string;
  createdAt: string;
  /** sending: on the wire or waiting for the connection; failed: refused for good (see error). */
  status: 'sending' | 'failed';
  attempts: number;
  error?: { code: string; message: string };
}

export interface ChatSessionOptions {
  socket: EngageSocket;
  engagementId: string;
  role: ParticipantRole;
  /** Where unacknowledged messages and the last seen sequence number survive a page change. */
  storage?: KeyValueStore;
  /** Shown on own messages until the server's copy arrives. */
  selfName?: string;
  /** Most sends on the wire at once; the rest wait their turn in order. */
  maxInFlight?: number;
}

interface Persisted {
  outbox: PendingMessage[];
}

const TYPING_IDLE_MS = 4000;
const TYPING_REFRESH_MS = 2500;
const SYNC_RETRY_MS = 500;
const PEER_TYPING_TTL_MS = 6000;

/**
 * The chat of one engagement as one participant sees it: ordered history, an outbox that keeps
 * every unacknowledged message (in storage too) and resends it after a reconnect, typing and read
 * receipts. The server dedupes resends by client id, so "at least once" here is "exactly once" there.
 */
export class ChatSession {
  readonly engagementId: string;
  readonly role: ParticipantRole;
  #socket: EngageSocket;
  #store: KeyValueStore;
  #key: string;
  #selfName: string;
  #maxInFlight: number;
  #messages: ChatMessage[] = [];
  #seqs = new Set<number>();
  #outbox: PendingMessage[];
  /** Client ids on the wire, with the attempt number that is. */
  #inFlight = new Map<string, number>();
  #engagement: EngagementView | null = null;
  #peerTyping: { name: string; until: number } | null = null;
  #peerReadSeq = 0;
  #sentReadSeq = 0;
  #typingSent = false;
  #typingSentAt = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #syncing: Promise<void> | null = null;
  #listeners = new Set<() => void>();
  #teardown: Array<() => void> = [];
  #closed = false;
  #lastError: RequestError | null = null;

  static create(options: ChatSessionOptions): ChatSession {
    return new ChatSession(options);
  }

  private constructor(o: ChatSessionOptions) {
    this.engagementId = o.engagementId;
    this.role = o.role;
    this.#socket = o.socket;
    this.#store = o.storage ?? memoryStore();
    this.#key = `engage:chat:${o.engagementId}`;
    this.#selfName = o.selfName ?? '';
    this.#maxInFlight = o.maxInFlight ?? 64;
    this.#outbox = readJson<Persisted>(this.#store, this.#key, { outbox: [] }).outbox.map((p) => ({ ...p, status: 'sending' as const }));
    const s = this.#socket;
    this.#teardown.push(
      s.on(EV.chatMessage, (m) => m.engagementId === this.engagementId && this.#addMessages([m])),
      s.on(EV.chatTypingChanged, (t) => {
        if (t.engagementId !== this.engagementId || t.role === this.#ownSenderRole()) return;
        this.#peerTyping = t.typing ? { name: t.name, until: Date.now() + PEER_TYPING_TTL_MS } : null;
        this.#emit();
      }),
      s.on(EV.chatReadChanged, (r) => {
        if (r.engagementId !== this.engagementId || r.role === this.#ownSenderRole()) return;
        this.#peerReadSeq = Math.max(this.#peerReadSeq, r.seq);
        this.#emit();
      }),
      s.on(EV.engagementUpdated, (e) => e.id === this.engagementId && this.#setEngagement(e)),
      s.onStatus((status) => {
        if (status === 'connected') void this.sync();
        else this.#emit();
      }),
    );
  }

  /** Stored messages in sequence order. */
  messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** Own messages not yet acknowledged, in the order they were written. */
  pending(): readonly PendingMessage[] {
    return this.#outbox;
  }

  engagement(): EngagementView | null {
    return this.#engagement;
  }

  peerTyping(): { name: string } | null {
    if (this.#peerTyping && this.#peerTyping.until < Date.now()) this.#peerTyping = null;
    return this.#peerTyping && { name: this.#peerTyping.name };
  }

  peerReadSeq(): number {
    return this.#peerReadSeq;
  }

  lastSeq(): number {
    return this.#messages.length ? this.#messages[this.#messages.length - 1].seq : 0;
  }

  /** The last error that stopped a request (shown to people as a sentence). */
  lastError(): RequestError | null {
    return this.#lastError;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Queues a message; it is kept until the server acknowledges it. Returns its client id. */
  send(body: string): string {
    if (this.role === 'supervisor') throw new Error('Supervisors watch read-only.');
    const clientId = newClientId();
    this.#outbox.push({ clientId, body, createdAt: new Date().toISOString(), status: 'sending', attempts: 0 });
    this.#persist();
    this.#setTypingNow(false);
    this.#emit();
    this.#pump();
    return clientId;
  }

  /** Drops a message the server refused for good (the UI offers it after showing why). */
  discard(clientId: string): void {
    this.#outbox = this.#outbox.filter((p) => p.clientId !== clientId);
    this.#persist();
    this.#emit();
  }

  /** Call on every keystroke; "stopped typing" is sent after a pause or on send. */
  setTyping(typing: boolean): void {
    if (this.role === 'supervisor') return;
    clearTimeout(this.#typingTimer);
    if (typing) this.#typingTimer = setTimeout(() => this.#setTypingNow(false), TYPING_IDLE_MS);
    this.#setTypingNow(typing);
  }

  /** Tells the other side everything up to seq has been read. */
  markRead(seq: number): void {
    if (this.role === 'supervisor' || seq <= this.#sentReadSeq) return;
    this.#sentReadSeq = seq;
    this.#socket.request(EV.chatRead, { engagementId: this.engagementId, seq }).catch(() => {
      this.#sentReadSeq = 0; // resent on the next call
    });
  }

  /** Rejoins the engagement, fetches everything after the last known seq, then resends the outbox. */
  sync(): Promise<void> {
    if (!this.#syncing) {
      this.#syncing = this.#doSync().finally(() => {
        this.#syncing = null;
        this.#pump();
      });
    }
    return this.#syncing;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#typingTimer);
    clearTimeout(this.#retryTimer);
    for (const t of this.#teardown) t();
    this.#listeners.clear();
  }

  async #doSync(): Promise<void> {
    // History starts where this session was when the connection came back, not at the highest seq
    // seen: broadcasts arriving during the sync may already be far ahead of the gap to fill.
    let afterSeq = this.lastSeq();
    try {
      const { engagement } = await this.#socket.request(EV.engagementJoin, { engagementId: this.engagementId });
      this.#setEngagement(engagement);
      for (;;) {
        const page = await this.#socket.request(EV.chatHistory, { engagementId: this.engagementId, afterSeq });
        this.#addMessages(page.messages);
        if (!page.hasMore || page.messages.length === 0) break;
        afterSeq = page.messages[page.messages.length - 1].seq;
      }
      this.#lastError = null;
      // Whatever was on the wire before the reconnect is sent again (the server dedupes).
      this.#inFlight.clear();
    } catch (e) {
      const err = asRequestError(e);
      this.#lastError = err;
      this.#emit();
      // A server that is still starting up: try again rather than wait for the next reconnect.
      if (err.transient && err.code !== 'offline') this.#scheduleResync(SYNC_RETRY_MS);
    }
  }

  #scheduleResync(ms: number): void {
    setTimeout(() => {
      if (!this.#closed && this.#socket.connected) void this.sync();
    }, ms);
  }

  #pump(): void {
    if (this.#closed || !this.#socket.connected || this.#syncing) return;
    for (const p of this.#outbox) {
      if (this.#inFlight.size >= this.#maxInFlight) break;
      if (p.status !== 'sending' || this.#inFlight.has(p.clientId)) continue;
      const attempt = ++p.attempts;
      this.#inFlight.set(p.clientId, attempt);
      const settled = () => {
        if (this.#inFlight.get(p.clientId) === attempt) this.#inFlight.delete(p.clientId);
      };
      this.#socket
        .request(EV.chatSend, { engagementId: this.engagementId, clientId: p.clientId, body: p.body })
        .then((ack) => {
          settled();
          this.#outbox = this.#outbox.filter((x) => x.clientId !== p.clientId);
          this.#persist();
          this.#addMessages([
            {
              engagementId: this.engagementId,
              seq: ack.seq,
              clientId: p.clientId,
              sender: { role: this.#ownSenderRole(), name: this.#selfName },
              body: p.body,
              sentAt: ack.sentAt,
            },
          ]);
          this.#pump();
        })
        .catch((e: unknown) => {
          settled();
          if (!this.#outbox.includes(p)) return; // stored meanwhile (a later attempt or the history)
          const err = asRequestError(e);
          this.#lastError = err;
          if (err.transient) {
            // offline: the next 'connected' resyncs; busy: try again after the server's hint.
            if (err.code !== 'offline') this.#scheduleRetry((err.retryAfter ?? 1) * 1000);
          } else {
            p.status = 'failed';
            p.error = { code: err.code, message: err.message };
            this.#persist();
          }
          this.#emit();
        });
    }
  }

  #scheduleRetry(ms: number): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, ms);
  }

  #addMessages(incoming: readonly ChatMessage[]): void {
    let changed = false;
    for (const m of incoming) {
      const existing = this.#seqs.has(m.seq);
      if (existing) {
        // The server's copy carries the sender's display name: prefer it over the local one.
        const i = this.#messages.findIndex((x) => x.seq === m.seq);
        if (i >= 0 && !this.#messages[i].sender.name && m.sender.name) {
          this.#messages[i] = m;
          changed = true;
        }
        continue;
      }
      this.#seqs.add(m.seq);
      this.#messages.push(m);
      changed = true;
      // A message the server stored (seen through history or broadcast) needs no resend.
      const before = this.#outbox.length;
      this.#outbox = this.#outbox.filter((p) => p.clientId !== m.clientId);
      if (this.#outbox.length !== before) this.#persist();
      if (m.sender.role !== this.#ownSenderRole()) this.#peerTyping = null;
    }
    if (!changed) return;
    this.#messages.sort((a, b) => a.seq - b.seq);
    this.#emit();
  }

  #setEngagement(e: EngagementView): void {
    this.#engagement = e;
    const peer = this.role === 'customer' ? e.readSeq.agent : e.readSeq.customer;
    this.#peerReadSeq = Math.max(this.#peerReadSeq, peer);
    this.#emit();
  }

  #setTypingNow(typing: boolean): void {
    if (!this.#socket.connected) return;
    // "Still typing" is repeated now and then, so a peer who joins meanwhile learns it too.
    const refresh = typing && Date.now() - this.#typingSentAt > TYPING_REFRESH_MS;
    if (typing === this.#typingSent && !refresh) return;
    this.#typingSent = typing;
    this.#typingSentAt = Date.now();
    this.#socket.request(EV.chatTyping, { engagementId: this.engagementId, typing }).catch(() => undefined);
  }

  #ownSenderRole(): SenderRole {
    return this.role === 'customer' ? 'customer' : 'agent';
  }

  #persist(): void {
    if (this.#outbox.length === 0) this.#store.removeItem(this.#key);
    else writeJson(this.#store, this.#key, { outbox: this.#outbox } satisfies Persisted);
  }

  #emit(): void {
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch {
        // A listener's failure must not stop the others or the session.
      }
    }
  }
}

function asRequestError(e: unknown): RequestError {
  return e instanceof RequestError ? e : new RequestError('internal', e instanceof Error ? e.message : String(e));
}

function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
