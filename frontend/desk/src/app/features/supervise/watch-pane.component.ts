import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { useEngagementChat } from '../../shared/chat/engagement-chat';
import { PaneHeaderComponent } from '../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';

/** A live engagement watched by a supervisor: the same chat, live, without a send box. */
@Component({
  selector: 'app-watch-pane',
  imports: [ChatPanelComponent, PaneHeaderComponent, StateBadgeComponent],
  template: `
    @let e = engagement();
    <header appPaneHeader backLink="/desk/supervise" backLabel="Live" [title]="e?.customerName || 'Visitor'">
      <p class="pane-sub">
        @if (e) {
          {{ e.agent ? 'Agent: ' + e.agent.displayName : 'No agent yet' }}
          @if (e.state === 'ended') {
            · {{ endReason() }}
          }
        }
      </p>
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
  readonly #live = useEngagementChat(this.id, 'supervisor');
  protected readonly chat = this.#live.chat;
  protected readonly engagement = this.#live.engagement;
  protected readonly endReason = this.#live.endReason;
}
