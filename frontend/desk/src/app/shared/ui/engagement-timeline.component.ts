import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import { API, DOC_EV, EV, MEDIA_EV, PROXY_EV, type EngagementDetail, type ServerEvent, type TimelineEntry } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../core/errors';
import { formatTime } from '../../core/format';
import { describeTimelineEntry } from './timeline-text';

/** Server events after which the engagement may have a new timeline row: the list is fetched again. */
const ROW_HINTS: readonly ServerEvent[] = [EV.engagementUpdated, EV.engagementModeShown, EV.cobrowseState, MEDIA_EV.state, PROXY_EV.state, DOC_EV.room];
/** Several hints in a burst (a call accepted: media state + engagement update) make one request. */
const SETTLE_MS = 150;

/**
 * The engagement's timeline (GET /api/engagements/:id, the audit rows in order), collapsible,
 * kept live by fetching again whenever the socket says something changed.
 */
@Component({
  selector: 'app-engagement-timeline',
  template: `
    <details class="timeline" [open]="open()" (toggle)="onToggle($event)">
      <summary data-testid="timeline-toggle">
        Timeline
        @if (entries().length) {
          <span class="count">{{ entries().length }}<span class="visually-hidden"> events</span></span>
        }
      </summary>
      @if (error(); as msg) {
        <p class="error" role="alert">{{ msg }}</p>
      }
      <ol class="entries" data-testid="timeline" tabindex="0" aria-label="What happened, oldest first">
        @for (e of entries(); track e.id) {
          <li class="entry" data-testid="timeline-entry" [attr.data-type]="e.type">
            <time [attr.datetime]="e.at">{{ time(e.at) }}</time>
            <span class="what">{{ describe(e) }}</span>
          </li>
        } @empty {
          <li class="empty">{{ loaded() ? 'Nothing has happened yet.' : 'Loading…' }}</li>
        }
      </ol>
    </details>
  `,
  styles: `
    :host { display: block; }
    .timeline { border-top: 1px solid var(--border); background: var(--surface); }
    summary { cursor: pointer; padding: 8px 16px; font-size: 0.875rem; font-weight: 600; color: var(--text); display: flex; align-items: center; gap: 8px; }
    summary:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
    .count { min-width: 20px; padding: 0 6px; border-radius: 999px; background: var(--surface-2); border: 1px solid var(--border); font-size: 0.75rem; line-height: 18px; text-align: center; color: var(--muted); }
    .entries { list-style: none; margin: 0; padding: 0 16px 8px; max-height: min(25vh, 220px); overflow-y: auto; }
    .entry { display: grid; grid-template-columns: auto 1fr; gap: 10px; padding: 3px 0; font-size: 0.8125rem; border-bottom: 1px solid var(--surface-2); }
    time { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
    .what { overflow-wrap: anywhere; }
    .empty { color: var(--muted); font-size: 0.8125rem; padding: 4px 0; }
    .error { margin: 0 16px 6px; color: var(--danger); font-size: 0.8125rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EngagementTimelineComponent {
  readonly engagementId = input.required<string>();
  readonly socket = input.required<EngageSocket | null>();
  readonly agentName = input('The agent');
  readonly customerName = input('The customer');
  /** Open at first (the supervisor's view); the desk keeps it folded until asked. */
  readonly startOpen = input(false);

  readonly #http = inject(HttpClient);
  protected readonly entries = signal<TimelineEntry[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal('');
  readonly #opened = signal<boolean | null>(null);
  protected readonly open = computed(() => this.#opened() ?? this.startOpen());
  protected readonly time = formatTime;
  readonly #names = computed(() => ({ agent: this.agentName(), customer: this.customerName() }));
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight = false;
  #again = false;
  #generation = 0;

  constructor() {
    effect((onCleanup) => {
      const id = this.engagementId();
      const socket = this.socket();
      untracked(() => {
        this.#generation++;
        this.entries.set([]);
        this.loaded.set(false);
        this.error.set('');
        this.refresh(0);
      });
      if (!socket) return;
      const offs = ROW_HINTS.map((ev) => socket.on(ev, (p: unknown) => this.#concerns(p, id) && this.refresh()));
      // After a reconnect rows may have been written meanwhile.
      offs.push(socket.onStatus((st) => st === 'connected' && this.refresh()));
      onCleanup(() => offs.forEach((off) => off()));
    });
    inject(DestroyRef).onDestroy(() => {
      this.#generation++;
      if (this.#timer) clearTimeout(this.#timer);
    });
  }

  /** Fetches the timeline again soon (several calls in a burst make one request). */
  refresh(delay = SETTLE_MS): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#fetch();
    }, delay);
  }

  protected describe(e: TimelineEntry): string {
    return describeTimelineEntry(e, this.#names());
  }

  protected onToggle(e: Event): void {
    this.#opened.set((e.target as HTMLDetailsElement).open);
  }

  #concerns(payload: unknown, id: string): boolean {
    const p = payload as { engagementId?: string; id?: string } | null;
    return p?.engagementId === id || p?.id === id;
  }

  async #fetch(): Promise<void> {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    const generation = this.#generation;
    try {
      const detail = await firstValueFrom(this.#http.get<EngagementDetail>(API.engagement(this.engagementId())));
      if (generation !== this.#generation) return;
      this.entries.set(detail.timeline);
      this.loaded.set(true);
      this.error.set('');
    } catch (err) {
      if (generation === this.#generation) this.error.set(`The timeline could not load: ${describeError(err)}`);
    } finally {
      this.#inFlight = false;
      if (this.#again) {
        this.#again = false;
        void this.#fetch();
      }
    }
  }
}
