import { ChangeDetectionStrategy, Component, computed, effect, inject, input, linkedSignal, signal, viewChild } from '@angular/core';
import type { ShownMode } from '@engage/protocol';
import { AuthService } from '../../../core/auth/auth.service';
import { describeError } from '../../../core/errors';
import { formatTime } from '../../../core/format';
import { ChatPanelComponent } from '../../../shared/chat/chat-panel.component';
import { StaffSocket } from '../../../core/realtime/staff-socket.service';
import { CallPanelComponent } from '../../call/call-panel.component';
import { CobrowsePanelComponent } from '../../cobrowse/cobrowse-panel.component';
import { DocumentRoomComponent } from '../../documents/document-room.component';
import { ProxyPanelComponent } from '../../proxy/proxy-panel.component';
import { useEngagementChat } from '../../../shared/chat/engagement-chat';
import { EngagementTimelineComponent } from '../../../shared/ui/engagement-timeline.component';
import { type ModeTab, ModeTabsComponent } from '../../../shared/ui/mode-tabs.component';
import { useModeSwitch } from '../../../shared/ui/mode-switch';
import { PaneHeaderComponent } from '../../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../../shared/ui/state-badge.component';
import { DeskStore } from '../data/desk.store';

const DESK_MODES: readonly ShownMode[] = ['chat', 'direct', 'proxy', 'document'];
const LABELS: Record<ShownMode, string> = { chat: 'Chat only', direct: 'Customer’s page', proxy: 'Browse together', document: 'Documents' };

/**
 * One engagement as its agent works it: header with state and End, the call bar (it stays whatever
 * is shown), the mode bar, then the work area: one co-browse mode (the customer's page, browse
 * together, documents) large beside the chat, or the chat alone. Every mode's component stays alive
 * while hidden, so switching keeps its state (the replay, the shared page, the open document).
 */
@Component({
  selector: 'app-engagement-pane',
  imports: [
    CallPanelComponent,
    ChatPanelComponent,
    CobrowsePanelComponent,
    DocumentRoomComponent,
    EngagementTimelineComponent,
    ModeTabsComponent,
    ProxyPanelComponent,
    PaneHeaderComponent,
    StateBadgeComponent,
  ],
  template: `
    @let e = engagement();
    @let active = chat()?.engagement()?.state === 'active';
    @let customer = e?.customerName || 'the customer';
    <header appPaneHeader backLink="/desk" backLabel="Queue" [title]="e?.customerName || 'Visitor'">
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
      @if (e) {
        <app-state-badge [state]="e.state" testid="engagement-state" />
        @if (e.state !== 'ended') {
          <button type="button" class="btn danger" data-testid="end-engagement" [disabled]="ending()" (click)="end()">
            {{ ending() ? 'Ending…' : 'End' }}
          </button>
        }
      }
    </header>
    @if (error() || chat()?.error() || modes.error(); as msg) {
      <p class="pane-error" role="alert">{{ msg }}</p>
    }
    <app-call-panel [style.--call-media-height]="shown() === 'chat' ? null : '150px'" [engagementId]="id()" [role]="'agent'" [socket]="socket" [peerName]="customer" [engagementActive]="active" />
    <nav class="modebar" aria-label="Engagement modes">
      <app-mode-tabs [tabs]="tabs()" [selected]="shown()" idPrefix="desk-mode" label="Show beside the chat" (choose)="select($event)" />
    </nav>
    <div class="work" [class.split]="shown() !== 'chat'" id="desk-mode-panel" role="tabpanel" [attr.aria-labelledby]="'desk-mode-tab-' + shown()">
      <div class="stage" [hidden]="shown() === 'chat'">
        <section class="mode" data-testid="mode-panel-direct" aria-label="The customer’s page" [hidden]="shown() !== 'direct'">
          @if (e?.channel === 'invite' && cb.status() === 'off') {
            <p class="hint" data-testid="direct-unavailable">
              Seeing {{ customer }}’s own page works when they are on your website with its chat open. {{ customer }} joined with a code, so
              use <strong>Browse together</strong> to open a page you both see.
            </p>
          }
          <app-cobrowse-panel
            #cb
            [hidden]="e?.channel === 'invite' && cb.status() === 'off'"
            [engagementId]="id()"
            mode="agent"
            [customerName]="customer"
            [engagementActive]="active"
          />
        </section>
        <section class="mode" data-testid="mode-panel-proxy" aria-label="Browse together" [hidden]="shown() !== 'proxy'">
          <app-proxy-panel [engagementId]="id()" [role]="'agent'" [socket]="socket" [engagementActive]="active" />
        </section>
        <section class="mode" data-testid="mode-panel-documents" aria-label="Documents" [hidden]="shown() !== 'document'">
          <!-- Opened the first time the documents are shown (opening it is what puts the engagement in document mode), then kept. -->
          @if (modes.documentsOpened()) {
            @if (token(); as t) {
              <app-document-room [engagementId]="id()" [role]="'agent'" [socket]="socket" [token]="t" [engagementActive]="active" />
            }
          }
        </section>
      </div>
      <div class="side">
        @if (chat(); as c) {
          <app-chat-panel [state]="c" mine="agent" [peerName]="customer" />
        }
        <app-engagement-timeline #timeline [engagementId]="id()" [socket]="socket" [agentName]="agentName()" [customerName]="e?.customerName || 'The customer'" />
      </div>
    </div>
  `,
  styles: `
    .modebar { display: flex; align-items: center; padding: 0 8px; border-bottom: 1px solid var(--border); background: var(--surface); }
    .work { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .work.split { display: grid; grid-template-columns: minmax(0, 2fr) minmax(300px, 1fr); }
    .stage { min-width: 0; min-height: 0; display: flex; flex-direction: column; overflow: auto; border-right: 1px solid var(--border); background: var(--surface); }
    .stage[hidden], .mode[hidden], app-cobrowse-panel[hidden] { display: none; }
    .mode { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .mode app-cobrowse-panel { flex: 1; }
    .hint { margin: 16px; padding: 12px 16px; border-radius: var(--radius); background: var(--surface-2); color: var(--text); font-size: 0.875rem; max-width: 60ch; }
    .side { flex: 1; min-height: 0; min-width: 0; display: flex; flex-direction: column; overflow-y: auto; }
    /* The chat keeps a usable height; with the timeline open on a short screen the column scrolls. */
    .side app-chat-panel { flex: 1; min-height: 240px; }
    @media (max-width: 960px) {
      .work.split { display: flex; overflow-y: auto; }
      .work.split .stage { flex: none; border-right: 0; border-bottom: 1px solid var(--border); overflow: visible; }
      .work.split .mode { flex: none; }
      .work.split .mode app-cobrowse-panel { flex: none; }
      .work.split .side { flex: none; }
      .work.split app-chat-panel { flex: none; height: max(360px, 60vh); }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane' },
})
export class EngagementPaneComponent {
  /** Route parameter :id. */
  readonly id = input.required<string>();

  readonly #store = inject(DeskStore);
  protected readonly socket = inject(StaffSocket).socket;
  protected readonly ending = signal(false);
  /** Cleared whenever another engagement opens. */
  protected readonly error = linkedSignal({ source: this.id, computation: () => '' });
  protected readonly time = formatTime;
  readonly #live = useEngagementChat(this.id, 'agent');
  protected readonly chat = this.#live.chat;
  protected readonly engagement = this.#live.engagement;
  protected readonly endReason = this.#live.endReason;

  protected readonly token = inject(AuthService).token;
  protected readonly agentName = computed(() => this.engagement()?.agent?.displayName ?? 'The agent');
  private readonly cobrowse = viewChild.required<CobrowsePanelComponent>('cb');
  private readonly timeline = viewChild.required<EngagementTimelineComponent>('timeline');
  protected readonly modes = useModeSwitch({
    engagement: this.engagement,
    socket: signal(this.socket).asReadonly(),
    directLive: computed(() => this.cobrowse().status() !== 'off'),
    available: DESK_MODES,
    followAgent: false,
    recorded: () => this.timeline().refresh(0),
  });
  protected readonly shown = this.modes.shown;
  protected readonly tabs = computed<ModeTab[]>(() => {
    const live = this.modes.live();
    return DESK_MODES.map((mode) => ({ mode, label: LABELS[mode], live: live[mode] }));
  });

  constructor() {
    // Keep the sidebar in step with what the chat learned (e.g. the customer joined).
    effect(() => {
      const e = this.chat()?.engagement();
      if (e) this.#store.upsert(e);
    });
  }

  /**
   * Shows a mode. The customer's page needs their consent: going there asks for it (the co-browse
   * request) when nothing is shared yet and the customer is on the website.
   */
  protected select(mode: ShownMode): void {
    this.modes.select(mode);
    const e = this.engagement();
    if (mode === 'direct' && e?.state === 'active' && e.channel === 'widget' && this.cobrowse().status() === 'off') void this.cobrowse().start();
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
