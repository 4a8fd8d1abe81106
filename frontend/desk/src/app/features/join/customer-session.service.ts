import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { type ConnectionStatus, EngageSocket } from '@engage/chat-client';
import { API, type CustomerSession, EV, type EngagementDetail } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { type ChatState, openChat } from '../../core/realtime/chat-state';
import { describeError } from '../../core/errors';
import { readSession, removeSession, writeSession } from '../../core/storage';
import { engagementOfToken } from './session-link';

const KEY = 'engage.customer.session';
const AGAIN = 'Go back to the chat on the website and choose “Open full view” again.';
/** What the customer reads when the link of the full view does not open their conversation. */
export const LINK_REFUSED = `This link does not open a conversation: it is not valid or has expired. ${AGAIN}`;
export const LINK_ENDED = 'This conversation has ended. You can start a new chat on the website.';

interface StoredCustomer {
  token: string;
  engagementId: string;
  name: string;
  code: string | null;
}

/**
 * The customer's side: redeem a code, keep the engagement token in sessionStorage so a reload
 * rejoins, and run the chat on the customer's own socket.
 */
@Injectable()
export class CustomerSessionService {
  readonly #http = inject(HttpClient);
  #socket: EngageSocket | null = null;
  #offStatus: (() => void) | null = null;

  readonly #status = signal<ConnectionStatus>('connecting');
  readonly #chat = signal<ChatState | null>(null);
  readonly #socketSig = signal<EngageSocket | null>(null);
  readonly #stored = signal<StoredCustomer | null>(readSession<StoredCustomer>(KEY));
  /** Why the last session could not continue (shown above the join form). */
  readonly notice = signal('');

  readonly status = this.#status.asReadonly();
  readonly chat = this.#chat.asReadonly();
  /** The customer's socket while a session runs (the call panel signals over it). */
  readonly socket = this.#socketSig.asReadonly();
  readonly stored = this.#stored.asReadonly();
  readonly active = computed(() => this.#chat() !== null);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.#stop());
  }

  /** Rejoins the stored engagement; false when there is none (or it is for another code). */
  resume(code: string | null): boolean {
    const s = this.#stored();
    if (!s || (code && s.code && code !== s.code)) return false;
    this.#start(s);
    return true;
  }

  async join(code: string, customerName: string): Promise<void> {
    const body = customerName ? { code, customerName } : { code };
    const res = await firstValueFrom(this.#http.post<CustomerSession>(API.join, body));
    const s: StoredCustomer = { token: res.customerToken, engagementId: res.engagement.id, name: res.engagement.customerName || customerName, code };
    writeSession(KEY, s);
    this.#stored.set(s);
    this.#start(s);
  }

  /**
   * The widget's full view: the customer's own token (from the link's fragment) becomes this page's
   * session once the backend accepts it for a live engagement. Refusals end up in `notice`.
   */
  async adopt(token: string): Promise<void> {
    this.leave();
    this.notice.set('');
    const engagementId = engagementOfToken(token);
    if (!engagementId) {
      this.notice.set(LINK_REFUSED);
      return;
    }
    let detail: EngagementDetail;
    try {
      detail = await firstValueFrom(this.#http.get<EngagementDetail>(API.engagement(engagementId), { headers: { Authorization: `Bearer ${token}` } }));
    } catch (err) {
      const refused = err instanceof HttpErrorResponse && (err.status === 401 || err.status === 403 || err.status === 404);
      this.notice.set(refused ? LINK_REFUSED : `${describeError(err)} ${AGAIN}`);
      return;
    }
    if (detail.engagement.state === 'ended') {
      this.notice.set(LINK_ENDED);
      return;
    }
    const s: StoredCustomer = { token, engagementId, name: detail.engagement.customerName, code: null };
    writeSession(KEY, s);
    this.#stored.set(s);
    this.#start(s);
  }

  async end(): Promise<void> {
    const s = this.#stored();
    if (!this.#socket || !s) return;
    await this.#socket.request(EV.engagementEnd, { engagementId: s.engagementId });
  }

  /** Forgets the session (after it ended) so the page offers the join form again. */
  leave(): void {
    this.#stop();
    removeSession(KEY);
    this.#stored.set(null);
  }

  #start(s: StoredCustomer): void {
    this.#stop();
    const socket = EngageSocket.connect({ url: location.origin, token: s.token });
    this.#socket = socket;
    this.#socketSig.set(socket);
    this.#offStatus = socket.onStatus((status, error) => {
      this.#status.set(status);
      if (status === 'refused') {
        // The token expired or the engagement is gone: back to the form, saying why.
        this.leave();
        this.notice.set(error?.message ? `${error.message} Enter a new code to join again.` : 'This conversation is no longer available. Enter a new code to join again.');
      }
    });
    if (this.#socket === socket) {
      this.#chat.set(openChat({ socket, status: this.#status, engagementId: s.engagementId, role: 'customer', selfName: s.name }));
    }
  }

  #stop(): void {
    this.#offStatus?.();
    this.#offStatus = null;
    this.#chat()?.close();
    this.#chat.set(null);
    this.#socket?.close();
    this.#socket = null;
    this.#socketSig.set(null);
  }
}
