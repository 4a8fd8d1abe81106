import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { EV } from '@engage/protocol';
import { AuthService } from '../../core/auth/auth.service';
import { endReasonLabel } from '../../core/format';
import { type ChatState, openChat } from '../../core/realtime/chat-state';
import { StaffSocket } from '../../core/realtime/staff-socket.service';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { DeskStore } from '../desk/data/desk.store';

/** A live engagement watched by a supervisor: the same chat, live, without a send box. */
@Component({
  selector: 'app-watch-pane',
  imports: [ChatPanelComponent, StateBadgeComponent, RouterLink],
  template: `
    @let e = engagement();
    <header class="pane-header">
      <a class="back-link" routerLink="/desk/supervise"><span aria-hidden="true">‹</span> Live</a>
      <div class="pane-title">
        <h2 class="pane-h">{{ e?.customerName || 'Visitor' }}</h2>
        <p class="pane-sub">
          @if (e) {
            {{ e.agent ? 'Agent: ' + e.agent.displayName : 'No agent yet' }}
            @if (e.state === 'ended') {
              · {{ endReason() }}
            }
          }
        </p>
      </div>
      <span class="watch-tag">Watching · read-only</span>
      @if (e) {
        <app-state-badge [state]="e.state" testid="engagement-state" />
      }
    </header>
    @if (chat()?.error(); as msg) {
      <p class="pane-error" role="alert">{{ msg }}</p>
    }
    @if (chat(); as c) {
      <app-chat-panel [state]="c" mine="agent" [readOnly]="true" [peerName]="e?.customerName || 'the customer'" />
    }
  `,
  styles: `
    .watch-tag { font-size: 0.75rem; font-weight: 600; color: var(--muted); border: 1px dashed var(--border-strong); border-radius: 999px; padding: 2px 10px; white-space: nowrap; }
    @media (max-width: 720px) { .watch-tag { display: none; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane' },
})
export class WatchPaneComponent {
  readonly id = input.required<string>();
  readonly #store = inject(DeskStore);
  readonly #ws = inject(StaffSocket);
  readonly #auth = inject(AuthService);
  protected readonly chat = signal<ChatState | null>(null);
  protected readonly engagement = computed(() => this.chat()?.engagement() ?? this.#store.engagementById(this.id()) ?? null);
  protected readonly endReason = computed(() => endReasonLabel(this.engagement()?.endReason ?? null) || 'Ended');

  constructor() {
    effect((onCleanup) => {
      const engagementId = this.id();
      const state = openChat({
        socket: this.#ws.socket,
        status: this.#ws.status,
        engagementId,
        role: 'supervisor',
        selfName: this.#auth.user()?.displayName ?? '',
      });
      this.chat.set(state);
      this.#store.selectedId.set(engagementId);
      onCleanup(() => {
        state.close();
        // Stop receiving this engagement's events; a watcher leaves no trace in it.
        this.#ws.socket.request(EV.engagementLeave, { engagementId }).catch(() => undefined);
        this.#store.selectedId.set(null);
      });
    });
  }
}
