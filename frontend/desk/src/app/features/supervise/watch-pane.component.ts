import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal } from '@angular/core';
import { AuthService } from '../../core/auth/auth.service';
import { StaffSocket } from '../../core/realtime/staff-socket.service';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { CobrowsePanelComponent } from '../cobrowse/cobrowse-panel.component';
import { DocumentRoomComponent } from '../documents/document-room.component';
import { useEngagementChat } from '../../shared/chat/engagement-chat';
import { EngagementTimelineComponent } from '../../shared/ui/engagement-timeline.component';
import { PaneHeaderComponent } from '../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { ListenInComponent } from './listen-in.component';

/**
 * A live engagement watched by a supervisor: the same chat, co-browse view and document room, live,
 * read-only. The document room opens by itself while the engagement is in document mode, and on demand.
 * While a call runs the supervisor may listen in (heard by nobody).
 */
@Component({
  selector: 'app-watch-pane',
  imports: [ChatPanelComponent, CobrowsePanelComponent, DocumentRoomComponent, EngagementTimelineComponent, ListenInComponent, PaneHeaderComponent, StateBadgeComponent],
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
      <button type="button" class="btn small" data-testid="watch-documents" [attr.aria-pressed]="docsShown()" aria-controls="watch-documents-panel" (click)="docsShown.set(!docsShown())">Documents</button>
      @if (e) {
        <app-state-badge [state]="e.state" testid="engagement-state" />
      }
    </header>
    @if (chat()?.error(); as msg) {
      <p class="pane-error" role="alert">{{ msg }}</p>
    }
    <app-listen-in [engagementId]="id()" [socket]="socket" [callActive]="callActive()" [callKind]="callKind()" (started)="timeline.refresh()" />
    <div class="work" [class.cobrowsing]="cb.open() || docsShown()">
      <div class="stage">
        <app-cobrowse-panel
          #cb
          [engagementId]="id()"
          mode="supervisor"
          [customerName]="e?.customerName || 'the customer'"
          [engagementActive]="chat()?.engagement()?.state === 'active'"
        />
        <section class="docs" id="watch-documents-panel" data-testid="watch-documents-panel" [hidden]="!docsShown()">
          <!-- Opened the first time it is shown (the supervisor joins the room then), then kept live. -->
          @if (docsOpened()) {
            @if (token(); as t) {
              <app-document-room [engagementId]="id()" [role]="'supervisor'" [socket]="socket" [token]="t" [engagementActive]="chat()?.engagement()?.state === 'active'" />
            }
          }
        </section>
      </div>
      <div class="side">
        @if (chat(); as c) {
          <app-chat-panel [state]="c" mine="agent" [readOnly]="true" [peerName]="e?.customerName || 'the customer'" />
        }
        <app-engagement-timeline #timeline [engagementId]="id()" [socket]="socket" [agentName]="e?.agent?.displayName || 'The agent'" [customerName]="e?.customerName || 'The customer'" />
      </div>
    </div>
  `,
  styles: `
    .watch-tag { font-size: 0.75rem; font-weight: 600; color: var(--muted); border: 1px dashed var(--border-strong); border-radius: 999px; padding: 2px 10px; white-space: nowrap; }
    @media (max-width: 720px) { .watch-tag { display: none; } }
    .work { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .work.cobrowsing { display: grid; grid-template-columns: minmax(0, 2fr) minmax(300px, 1fr); }
    .stage { min-width: 0; min-height: 0; display: flex; flex-direction: column; overflow: auto; }
    .work.cobrowsing .stage { border-right: 1px solid var(--border); }
    /* Stacked, each at its own height (the stage scrolls); an open co-browse view takes the free height. */
    .stage > app-cobrowse-panel:not(.is-open), .docs { flex: none; }
    .stage:has(> .docs:not([hidden])) > app-cobrowse-panel.is-open { flex: none; height: 60vh; }
    .docs { padding: 8px; }
    .docs[hidden] { display: none; }
    .side { flex: 1; min-height: 0; min-width: 0; display: flex; flex-direction: column; overflow-y: auto; }
    .side app-chat-panel { flex: 1; min-height: 240px; }
    @media (max-width: 960px) {
      .work.cobrowsing { display: flex; overflow-y: auto; }
      .work.cobrowsing .stage { flex: none; border-right: 0; overflow: visible; }
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
  protected readonly token = inject(AuthService).token;
  /** Shown while the engagement is in document mode, until the supervisor hides it (another engagement starts over). */
  protected readonly docsShown = linkedSignal({
    source: computed(() => ({ id: this.id(), inDocs: this.engagement()?.mode === 'document' }), { equal: (a, b) => a.id === b.id && a.inDocs === b.inDocs }),
    computation: (now, prev) => now.inDocs || (prev !== undefined && prev.source.id === now.id && prev.value),
  });
  /** The call of an active engagement (engagements.call, kept live by engagement/updated). */
  protected readonly callKind = computed(() => {
    const e = this.engagement();
    return e?.state === 'active' && e.call !== 'off' ? e.call : null;
  });
  protected readonly callActive = computed(() => this.callKind() !== null);
  /** The room is joined once, the first time it is shown, and kept while hidden. */
  protected readonly docsOpened = linkedSignal({ source: this.docsShown, computation: (shown, prev) => shown || (prev?.value ?? false) });
}
