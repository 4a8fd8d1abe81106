import { computed, type DestroyRef, signal, type Signal } from '@angular/core';
import { ChatSession, type ConnectionStatus, type EngageSocket, type ParticipantRole, type PendingMessage } from '@engage/chat-client';
import type { ChatMessage, EngagementView } from '@engage/protocol';
import { describeError } from '../errors';
import { sessionStore } from '../storage';

/** One ChatSession seen through Angular signals; closes the session with its owner. */
export class ChatState {
  readonly #messages = signal<readonly ChatMessage[]>([]);
  readonly #pending = signal<readonly PendingMessage[]>([]);
  readonly #engagement = signal<EngagementView | null>(null);
  readonly #peerTyping = signal<string | null>(null);
  readonly #peerReadSeq = signal(0);
  readonly #error = signal<string | null>(null);
  #typingTimer: ReturnType<typeof setInterval> | undefined;
  readonly #off: () => void;

  readonly messages = this.#messages.asReadonly();
  readonly pending = this.#pending.asReadonly();
  readonly engagement = this.#engagement.asReadonly();
  /** Name of the other side while they type. */
  readonly peerTyping = this.#peerTyping.asReadonly();
  readonly peerReadSeq = this.#peerReadSeq.asReadonly();
  readonly error = this.#error.asReadonly();
  readonly ended = computed(() => this.#engagement()?.state === 'ended');
  readonly loaded = computed(() => this.#engagement() !== null);

  constructor(
    readonly session: ChatSession,
    readonly status: Signal<ConnectionStatus>,
    destroyRef?: DestroyRef,
  ) {
    this.#off = session.onChange(() => this.#read());
    this.#read();
    destroyRef?.onDestroy(() => this.close());
  }

  /** Idempotent; closes the underlying session. */
  close(): void {
    this.#off();
    clearInterval(this.#typingTimer);
    this.session.close();
  }

  send(body: string): void {
    this.session.send(body);
  }

  discard(clientId: string): void {
    this.session.discard(clientId);
  }

  #read(): void {
    const s = this.session;
    this.#messages.set([...s.messages()]);
    this.#pending.set([...s.pending()]);
    this.#engagement.set(s.engagement());
    this.#peerReadSeq.set(s.peerReadSeq());
    const err = s.lastError();
    this.#error.set(err && err.code !== 'offline' ? describeError(err) : null);
    this.#readTyping();
  }

  /** The session expires "typing" by time without telling anyone, so poll while it shows. */
  #readTyping(): void {
    const typing = this.session.peerTyping();
    this.#peerTyping.set(typing ? typing.name || 'They' : null);
    if (typing && !this.#typingTimer) {
      this.#typingTimer = setInterval(() => this.#readTyping(), 1000);
    } else if (!typing && this.#typingTimer) {
      clearInterval(this.#typingTimer);
      this.#typingTimer = undefined;
    }
  }
}

/** Opens the chat of one engagement on a socket, keeping the outbox in sessionStorage. */
export function openChat(options: {
  socket: EngageSocket;
  status: Signal<ConnectionStatus>;
  engagementId: string;
  role: ParticipantRole;
  selfName: string;
  destroyRef?: DestroyRef;
}): ChatState {
  const session = ChatSession.create({
    socket: options.socket,
    engagementId: options.engagementId,
    role: options.role,
    selfName: options.selfName,
    storage: sessionStore(),
  });
  return new ChatState(session, options.status, options.destroyRef);
}
