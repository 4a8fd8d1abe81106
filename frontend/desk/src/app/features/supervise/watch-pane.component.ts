import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { StaffSocket } from '../../core/realtime/staff-socket.service';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { CobrowsePanelComponent } from '../cobrowse/cobrowse-panel.component';
import { useEngagementChat } from '../../shared/chat/engagement-chat';
import { EngagementTimelineComponent } from '../../shared/ui/engagement-timeline.component';
import { PaneHeaderComponent } from '../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';

/** A live engagement watched by a supervisor: the same chat and co-browse view, live, read-only. */
@Component({
  selector: 'app-watch-pane',
  imports: [ChatPanelComponent, CobrowsePanelComponent, EngagementTimelineComponent, PaneHeaderComponent, StateBadgeComponent],
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
    <div class="work" [class.cobrowsing]="cb.open()">
      <app-cobrowse-panel
        #cb
        [engagementId]="id()"
        mode="supervisor"
        [customerName]="e?.customerName || 'the customer'"
        [engagementActive]="chat()?.engagement()?.state === 'active'"
      />
      <div class="side">
        @if (chat(); as c) {
          <app-chat-panel [state]="c" mine="agent" [readOnly]="true" [peerName]="e?.customerName || 'the customer'" />
        }
        <app-engagement-timeline [engagementId]="id()" [socket]="socket" [agentName]="e?.agent?.displayName || 'The agent'" [customerName]="e?.customerName || 'The customer'" />
      </div>
    </div>
  `,
  styles: `
    .watch-tag { font-size: 0.75rem; font-weight: 600; color: var(--muted); border: 1px dashed var(--border-strong); border-radius: 999px; padding: 2px 10px; white-space: nowrap; }
    @media (max-width: 720px) { .watch-tag { display: none; } }
    .work { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .work.cobrowsing { display: grid; grid-template-columns: minmax(0, 2fr) minmax(300px, 1fr); }
    .work.cobrowsing app-cobrowse-panel { border-right: 1px solid var(--border); }
    .side { flex: 1; min-height: 0; min-width: 0; display: flex; flex-direction: column; overflow-y: auto; }
    .side app-chat-panel { flex: 1; min-height: 240px; }
    @media (max-width: 960px) {
      .work.cobrowsing { display: flex; overflow-y: auto; }
      .work.cobrowsing app-cobrowse-panel { flex: none; border-right: 0; }
      .work.cobrowsing .side { flex: none; }
      .work.cobrowsing app-chat-panel { flex: none; height: max(360px, 60vh); }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane' },
})
export class WatchPaneComponent {
  readonly id = input.required<string>();
  protected readonly socket = inject(StaffSocket).socket;
  readonly #live = useEngagementChat(this.id, 'supervisor');
  protected readonly chat = this.#live.chat;
  protected readonly engagement = this.#live.engagement;
  protected readonly endReason = this.#live.endReason;
}
