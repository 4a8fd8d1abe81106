import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from '../../../core/auth/auth.service';
import { describeError } from '../../../core/errors';
import { endReasonLabel, formatTime } from '../../../core/format';
import { type ChatState, openChat } from '../../../core/realtime/chat-state';
import { StaffSocket } from '../../../core/realtime/staff-socket.service';
import { ChatPanelComponent } from '../../../shared/chat/chat-panel.component';
import { StateBadgeComponent } from '../../../shared/ui/state-badge.component';
import { DeskStore } from '../data/desk.store';

/** One engagement as its agent works it: header with state and End, then the chat. */
@Component({
  selector: 'app-engagement-pane',
  imports: [ChatPanelComponent, StateBadgeComponent, RouterLink],
  template: `
    @let e = engagement();
    <header class="pane-header">
      <a class="back-link" routerLink="/desk"><span aria-hidden="true">‹</span> Queue</a>
      <div class="pane-title">
        <h2 class="pane-h">{{ e?.customerName || 'Visitor' }}</h2>
        <p class="pane-sub">
          @if (e) {
            {{ e.channel === 'invite' ? 'Invitation' : 'Website chat' }}
            @if (e.pageUrl) {
              · <span class="url">{{ e.pageUrl }}</span>
            }
            @if (e.state === 'ended') {
              · {{ endReason() }} at {{ time(e.endedAt || '') }}
            } @else if (e.state === 'requested') {
              · waiting for the customer to join
            }
          }
        </p>
      </div>
      @if (e) {
        <app-state-badge [state]="e.state" testid="engagement-state" />
        @if (e.state !== 'ended') {
          <button type="button" class="btn danger" data-testid="end-engagement" [disabled]="ending()" (click)="end()">
            {{ ending() ? 'Ending…' : 'End' }}
          </button>
        }
      }
    </header>
    @if (error() || chat()?.error(); as msg) {
      <p class="pane-error" role="alert">{{ msg }}</p>
    }
    @if (chat(); as c) {
      <app-chat-panel [state]="c" mine="agent" [peerName]="e?.customerName || 'the customer'" />
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane' },
})
export class EngagementPaneComponent {
  /** Route parameter :id. */
  readonly id = input.required<string>();

  readonly #store = inject(DeskStore);
  readonly #ws = inject(StaffSocket);
  readonly #auth = inject(AuthService);
  protected readonly chat = signal<ChatState | null>(null);
  protected readonly ending = signal(false);
  protected readonly error = signal('');
  protected readonly time = formatTime;

  protected readonly engagement = computed(() => this.chat()?.engagement() ?? this.#store.engagementById(this.id()) ?? null);
  protected readonly endReason = computed(() => endReasonLabel(this.engagement()?.endReason ?? null) || 'Ended');

  constructor() {
    effect((onCleanup) => {
      const engagementId = this.id();
      const state = openChat({
        socket: this.#ws.socket,
        status: this.#ws.status,
        engagementId,
        role: 'agent',
        selfName: this.#auth.user()?.displayName ?? '',
      });
      this.chat.set(state);
      this.error.set('');
      this.#store.selectedId.set(engagementId);
      onCleanup(() => {
        state.close();
        this.#store.selectedId.set(null);
      });
    });
    // Keep the sidebar in step with what the chat learned (e.g. the customer joined).
    effect(() => {
      const e = this.chat()?.engagement();
      if (e) this.#store.upsert(e);
    });
  }

  protected async end(): Promise<void> {
    this.ending.set(true);
    this.error.set('');
    try {
      await this.#store.end(this.id());
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.ending.set(false);
    }
  }
}
