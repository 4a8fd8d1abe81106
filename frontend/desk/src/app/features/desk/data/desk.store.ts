import { HttpClient } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { API, EV, type EngagementView, type InviteResponse } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../../core/auth/auth.service';
import { StaffSocket } from '../../../core/realtime/staff-socket.service';

/**
 * What the desk shows in its sidebar: the waiting queue and (for supervisors) every live
 * engagement, pushed by the server; among them the signed-in agent's own.
 */
@Injectable()
export class DeskStore {
  readonly #http = inject(HttpClient);
  readonly #auth = inject(AuthService);
  readonly #ws = inject(StaffSocket);

  readonly #queue = signal<EngagementView[]>([]);
  readonly #live = signal<EngagementView[]>([]);
  readonly #mine = signal<EngagementView[]>([]);
  readonly #queueLoaded = signal(false);
  readonly #queueError = signal('');

  /** Waiting customers, longest wait first. */
  readonly queue = computed(() => [...this.#queue()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
  readonly live = this.#live.asReadonly();
  readonly mine = computed(() => [...this.#mine()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  readonly queueLoaded = this.#queueLoaded.asReadonly();
  readonly queueError = this.#queueError.asReadonly();
  /** The engagement open in the main pane (set by the pane itself). */
  readonly selectedId = signal<string | null>(null);

  constructor() {
    const socket = this.#ws.socket;
    const offs = [
      socket.onStatus((status) => {
        if (status === 'connected') void this.#subscribe();
      }),
      socket.on(EV.queueUpdated, (q) => this.#applyQueue(q)),
      socket.on(EV.engagementUpdated, (e) => this.upsert(e)),
    ];
    inject(DestroyRef).onDestroy(() => offs.forEach((off) => off()));
  }

  async accept(engagementId: string): Promise<EngagementView> {
    const { engagement } = await this.#ws.socket.request(EV.engagementAccept, { engagementId });
    this.#queue.update((q) => q.filter((e) => e.id !== engagementId));
    this.upsert(engagement);
    return engagement;
  }

  async end(engagementId: string): Promise<EngagementView> {
    const { engagement } = await this.#ws.socket.request(EV.engagementEnd, { engagementId });
    this.upsert(engagement);
    return engagement;
  }

  async invite(customerName?: string): Promise<InviteResponse> {
    const res = await firstValueFrom(this.#http.post<InviteResponse>(API.invite, customerName ? { customerName } : {}));
    this.upsert(res.engagement);
    return res;
  }

  /** Applies one engagement's new state wherever it appears. */
  upsert(e: EngagementView): void {
    const me = this.#auth.user()?.id;
    const mineNow = e.state !== 'ended' && e.agent?.id === me;
    this.#mine.update((list) => {
      const rest = list.filter((x) => x.id !== e.id);
      return mineNow ? [...rest, e] : rest;
    });
    if (e.state !== 'requested' || e.agent) this.#queue.update((q) => q.filter((x) => x.id !== e.id));
    this.#live.update((list) => (list.some((x) => x.id === e.id) ? (e.state === 'ended' ? list.filter((x) => x.id !== e.id) : list.map((x) => (x.id === e.id ? e : x))) : list));
  }

  engagementById(id: string): EngagementView | undefined {
    return this.#mine().find((e) => e.id === id) ?? this.#live().find((e) => e.id === id) ?? this.#queue().find((e) => e.id === id);
  }

  async #subscribe(): Promise<void> {
    try {
      this.#applyQueue(await this.#ws.socket.request(EV.queueSubscribe, {}));
      this.#queueError.set('');
    } catch (err) {
      this.#queueError.set(err instanceof Error ? err.message : 'Could not load the queue.');
    }
  }

  #applyQueue(q: { queue: EngagementView[]; live: EngagementView[] }): void {
    this.#queue.set(q.queue);
    this.#live.set(q.live);
    // Agents receive their own live engagements; supervisors receive all of them.
    const me = this.#auth.user()?.id;
    this.#mine.set(q.live.filter((e) => e.agent?.id === me && e.state !== 'ended'));
    this.#queueLoaded.set(true);
  }

  async #list(state: 'active' | 'requested' | 'ended'): Promise<EngagementView[]> {
    return firstValueFrom(this.#http.get<EngagementView[]>(API.engagements, { params: { state, limit: 200 } }));
  }

  /** Ended engagements for the history page (the server decides whose). */
  listEnded(): Promise<EngagementView[]> {
    return this.#list('ended');
  }
}
