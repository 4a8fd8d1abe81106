import { ChangeDetectionStrategy, Component, effect, inject, input, linkedSignal, signal } from '@angular/core';
import { describeError } from '../../../core/errors';
import { formatTime } from '../../../core/format';
import { ChatPanelComponent } from '../../../shared/chat/chat-panel.component';
import { StaffSocket } from '../../../core/realtime/staff-socket.service';
import { CallPanelComponent } from '../../call/call-panel.component';
import { CobrowsePanelComponent } from '../../cobrowse/cobrowse-panel.component';
import { ProxyPanelComponent } from '../../proxy/proxy-panel.component';
import { useEngagementChat } from '../../../shared/chat/engagement-chat';
import { PaneHeaderComponent } from '../../../shared/ui/pane-header.component';
import { StateBadgeComponent } from '../../../shared/ui/state-badge.component';
import { DeskStore } from '../data/desk.store';

/**
 * One engagement as its agent works it: header with state and End, then the chat, with the
 * co-browse panel above it (the live page large beside a narrower chat while co-browsing).
 */
@Component({
  selector: 'app-engagement-pane',
  imports: [CallPanelComponent, ChatPanelComponent, CobrowsePanelComponent, ProxyPanelComponent, PaneHeaderComponent, StateBadgeComponent],
  template: `
    @let e = engagement();
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
    @if (error() || chat()?.error(); as msg) {
      <p class="pane-error" role="alert">{{ msg }}</p>
    }
    <app-call-panel
      [engagementId]="id()"
      role="agent"
      [socket]="socket"
      [peerName]="e?.customerName || 'the customer'"
      [engagementActive]="chat()?.engagement()?.state === 'active'"
    />
    <app-proxy-panel [engagementId]="id()" role="agent" [socket]="socket" [engagementActive]="chat()?.engagement()?.state === 'active'" />
    <div class="work" [class.cobrowsing]="cb.open()">
      <app-cobrowse-panel
        #cb
        [engagementId]="id()"
        mode="agent"
        [customerName]="e?.customerName || 'the customer'"
        [engagementActive]="chat()?.engagement()?.state === 'active'"
      />
      @if (chat(); as c) {
        <app-chat-panel [state]="c" mine="agent" [peerName]="e?.customerName || 'the customer'" />
      }
    </div>
  `,
  styles: `
    .work { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .work.cobrowsing { display: grid; grid-template-columns: minmax(0, 2fr) minmax(300px, 1fr); }
    .work.cobrowsing app-cobrowse-panel { border-right: 1px solid var(--border); }
    @media (max-width: 960px) {
      .work.cobrowsing { display: flex; overflow-y: auto; }
      .work.cobrowsing app-cobrowse-panel { flex: none; border-right: 0; }
      .work.cobrowsing app-chat-panel { flex: none; height: max(360px, 60vh); }
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

  constructor() {
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
