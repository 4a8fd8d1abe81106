import { ChangeDetectionStrategy, Component, computed, effect, inject, input, type OnInit, signal, untracked } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import { EV, LIMITS, type ShownMode } from '@engage/protocol';
import { describeError } from '../../core/errors';
import { endReasonLabel } from '../../core/format';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { CallPanelComponent } from '../call/call-panel.component';
import { DocumentRoomComponent } from '../documents/document-room.component';
import { ProxyPanelComponent } from '../proxy/proxy-panel.component';
import { ConnectionBannerComponent } from '../../shared/ui/connection-banner.component';
import { type ModeTab, ModeTabsComponent } from '../../shared/ui/mode-tabs.component';
import { useModeSwitch } from '../../shared/ui/mode-switch';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { CustomerSessionService } from './customer-session.service';
import { tokenFromFragment } from './session-link';

/** What the customer can have in front: no direct co-browse here (that needs the customer on the agent's website). */
const JOIN_MODES: readonly ShownMode[] = ['chat', 'proxy', 'document'];
const LABELS: Record<ShownMode, string> = { chat: 'Chat', direct: 'Your page', proxy: 'Browse together', document: 'Documents' };

/** The customer's page: type (or follow a link with) the 6-digit code, then chat. */
@Component({
  selector: 'app-join-page',
  imports: [CallPanelComponent, ChatPanelComponent, DocumentRoomComponent, ModeTabsComponent, ProxyPanelComponent, ConnectionBannerComponent, StateBadgeComponent],
  providers: [CustomerSessionService],
  template: `
    @if (session.chat(); as chat) {
      @let e = chat.engagement();
      <div class="customer-shell" [class.wide]="shown() !== 'chat'">
        <header class="customer-top">
          <div class="brand dark"><span class="logo" aria-hidden="true"></span>Support chat</div>
          @if (e) {
            <app-state-badge [state]="e.state" testid="engagement-state" />
          }
        </header>
        <app-connection-banner [status]="session.status()" />
        <main class="customer-chat pane">
          <header class="pane-header">
            <div class="pane-title">
              <h1>{{ agentTitle(e?.agent?.displayName) }}</h1>
              <p class="pane-sub">
                @if (!e) {
                  Connecting you…
                } @else if (e.state === 'requested') {
                  Waiting for an agent. You can already write.
                } @else if (e.state === 'active') {
                  You are connected.
                } @else {
                  This conversation {{ endReason(e.endReason) }}.
                }
              </p>
            </div>
            @if (e && e.state !== 'ended') {
              <button type="button" class="btn danger" data-testid="end-engagement" [disabled]="ending()" (click)="end()">
                {{ ending() ? 'Ending…' : 'End chat' }}
              </button>
            } @else if (e) {
              <button type="button" class="btn" (click)="session.leave()">Close</button>
            }
          </header>
          @if (error() || chat.error() || modes.error(); as msg) {
            <p class="pane-error" role="alert">{{ msg }}</p>
          }
          @if (e) {
            @let agent = e.agent?.displayName || 'the agent';
            <app-call-panel [style.--call-media-height]="shown() === 'chat' ? null : '150px'" [engagementId]="e.id" [role]="'customer'" [socket]="session.socket()" [peerName]="agent" [engagementActive]="e.state === 'active'" />
            <nav class="modebar" aria-label="What to show">
              <app-mode-tabs [tabs]="tabs()" [selected]="shown()" idPrefix="join-mode" label="Show beside the chat" (choose)="modes.select($event)" />
            </nav>
            <div class="work" [class.split]="shown() !== 'chat'" id="join-mode-panel" role="tabpanel" [attr.aria-labelledby]="'join-mode-tab-' + shown()">
              <div class="stage" [hidden]="shown() === 'chat'">
                <div class="stage-bar">
                  <button type="button" class="btn small" data-testid="back-to-chat" (click)="modes.select('chat')"><span aria-hidden="true">‹</span> Back to chat</button>
                </div>
                <section class="mode" data-testid="mode-panel-proxy" aria-label="Browse together" [hidden]="shown() !== 'proxy'">
                  @if (!modes.live().proxy) {
                    <p class="hint" data-testid="proxy-hint">When {{ agent }} opens a page to browse together, you both see it here and can take turns driving.</p>
                  }
                  <app-proxy-panel [engagementId]="e.id" [role]="'customer'" [socket]="session.socket()" [engagementActive]="e.state === 'active'" />
                </section>
                <section class="mode" data-testid="mode-panel-documents" aria-label="Documents" [hidden]="shown() !== 'document'">
                  @if (session.socket(); as socket) {
                    @if (session.stored()?.token; as token) {
                      <app-document-room [engagementId]="e.id" [role]="'customer'" [socket]="socket" [token]="token" [engagementActive]="e.state === 'active'" />
                    }
                  }
                </section>
              </div>
              <app-chat-panel [state]="chat" mine="customer" [peerName]="e.agent?.displayName || 'support'" />
            </div>
          } @else {
            <app-chat-panel [state]="chat" mine="customer" [peerName]="'support'" />
          }
        </main>
      </div>
    } @else {
      <main class="auth-page">
        <section class="auth-card" aria-labelledby="join-title">
          <div class="brand"><span class="logo" aria-hidden="true"></span> Support chat</div>
          <h1 id="join-title">Join a conversation</h1>
          <p class="lead">Enter the 6-digit code the agent gave you.</p>
          @if (adopting()) {
            <p class="notice" role="status" data-testid="join-notice">Opening your conversation…</p>
          } @else if (session.notice()) {
            <p class="notice" role="status" data-testid="join-notice">{{ session.notice() }}</p>
          }
          <form (submit)="submit($event)" novalidate>
            <div class="field">
              <label for="join-code">Code</label>
              <input
                id="join-code"
                class="code-input"
                data-testid="join-code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]*"
                maxlength="6"
                placeholder="000000"
                required
                [value]="codeValue()"
                (input)="onCode($event)"
                [attr.aria-invalid]="error() ? true : null"
                aria-describedby="join-error"
              />
            </div>
            <div class="field">
              <label for="join-name">Your name <span class="optional">(optional)</span></label>
              <input id="join-name" data-testid="join-name" type="text" autocomplete="name" [maxLength]="maxName" [value]="name()" (input)="name.set(value($event))" />
            </div>
            <p id="join-error" class="form-error" role="alert">{{ error() }}</p>
            <button type="submit" class="btn primary block" data-testid="join-submit" [disabled]="busy()">
              {{ busy() ? 'Joining…' : 'Join' }}
            </button>
          </form>
        </section>
      </main>
    }
  `,
  styles: `
    .customer-shell { display: flex; flex-direction: column; height: 100dvh; max-width: 860px; margin: 0 auto; background: var(--surface); box-shadow: 0 0 0 1px var(--border); }
    .customer-top { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 10px 16px; border-bottom: 1px solid var(--border); }
    .customer-shell.wide { max-width: 1280px; }
    .customer-chat { flex: 1; min-height: 0; }
    .modebar { padding: 0 8px; border-bottom: 1px solid var(--border); background: var(--surface); }
    .work { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .work > app-chat-panel { flex: 1; min-height: 0; }
    .work.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); }
    .stage { min-width: 0; min-height: 0; display: flex; flex-direction: column; overflow: auto; border-right: 1px solid var(--border); }
    .stage[hidden], .mode[hidden] { display: none; }
    .stage-bar { display: flex; padding: 6px 12px; border-bottom: 1px solid var(--border); }
    .mode { flex: 1; min-height: 0; display: flex; flex-direction: column; }
    .hint { margin: 16px; padding: 12px 16px; border-radius: var(--radius); background: var(--surface-2); font-size: 0.875rem; }
    @media (max-width: 820px) {
      .work.split { display: flex; overflow-y: auto; }
      .work.split .stage { flex: none; border-right: 0; border-bottom: 1px solid var(--border); overflow: visible; }
      .work.split .mode { flex: none; }
      .work.split > app-chat-panel { flex: none; height: max(320px, 55vh); }
    }
    .lead { color: var(--muted); margin: 0 0 16px; }
    .optional { color: var(--muted); font-weight: 400; }
    .code-input { font: 600 1.5rem/1.2 var(--mono); letter-spacing: 0.3em; text-align: center; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JoinPage implements OnInit {
  /** Route parameter of /join/:code. */
  readonly code = input<string>();

  protected readonly session = inject(CustomerSessionService);
  protected readonly maxName = LIMITS.customerNameMaxChars;
  protected readonly typedCode = signal<string | null>(null);
  protected readonly codeValue = computed(() => this.typedCode() ?? (this.code() ?? '').replace(/\D/g, '').slice(0, 6));
  protected readonly name = signal('');
  protected readonly busy = signal(false);
  protected readonly ending = signal(false);
  protected readonly error = signal('');
  protected readonly endReason = endReasonLabel;

  protected readonly modes = useModeSwitch({
    engagement: computed(() => this.session.chat()?.engagement() ?? null),
    socket: this.session.socket,
    directLive: signal(false).asReadonly(),
    available: JOIN_MODES,
    followAgent: true,
  });
  protected readonly shown = this.modes.shown;
  protected readonly tabs = computed<ModeTab[]>(() => {
    const live = this.modes.live();
    return JOIN_MODES.map((mode) => ({ mode, label: LABELS[mode], live: live[mode] }));
  });

  /** The widget's full view is checking its link. */
  protected readonly adopting = signal(false);
  #replayedOn: EngageSocket | null = null;

  constructor() {
    // The call and proxy panels appear once the engagement is known, which is after the join whose
    // answer carried the call and proxy state; they would miss an offer made before this page
    // connected (the widget's full view, a reload). Joining again makes the backend send it anew.
    effect(() => {
      const socket = this.session.socket();
      const id = this.session.chat()?.engagement()?.id;
      if (!socket || !id) return;
      untracked(() => {
        if (this.#replayedOn === socket) return;
        this.#replayedOn = socket;
        setTimeout(() => {
          // A failure here is the chat's failure too, and the chat says so; nothing more to show.
          if (this.session.socket() === socket) socket.request(EV.engagementJoin, { engagementId: id }).catch(() => undefined);
        });
      });
    });
  }

  ngOnInit(): void {
    // The widget's "Open full view" link: the token leaves the address bar (and history) at once.
    if (location.hash.includes('session=')) {
      const linked = tokenFromFragment(location.hash);
      history.replaceState(history.state, '', location.pathname + location.search);
      this.adopting.set(true);
      // A malformed link is refused like a bad token, with the same sentence.
      void this.session.adopt(linked ?? '').finally(() => this.adopting.set(false));
      return;
    }
    const code = this.codeValue();
    if (this.session.resume(code || null)) return;
    if (/^\d{6}$/.test(code)) void this.#join(code);
  }

  protected agentTitle(agentName: string | undefined): string {
    return agentName ? `Chatting with ${agentName}` : 'Support';
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected onCode(e: Event): void {
    const el = e.target as HTMLInputElement;
    const digits = el.value.replace(/\D/g, '').slice(0, 6);
    if (digits !== el.value) el.value = digits;
    this.typedCode.set(digits);
  }

  protected submit(event: Event): void {
    event.preventDefault();
    const code = this.codeValue();
    if (!/^\d{6}$/.test(code)) {
      this.error.set('The code has six digits.');
      return;
    }
    void this.#join(code);
  }

  protected async end(): Promise<void> {
    this.ending.set(true);
    this.error.set('');
    try {
      await this.session.end();
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.ending.set(false);
    }
  }

  async #join(code: string): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    this.session.notice.set('');
    try {
      await this.session.join(code, this.name().trim());
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
