import { ChangeDetectionStrategy, Component, computed, inject, input, type OnInit, signal } from '@angular/core';
import { LIMITS } from '@engage/protocol';
import { describeError } from '../../core/errors';
import { endReasonLabel } from '../../core/format';
import { ChatPanelComponent } from '../../shared/chat/chat-panel.component';
import { CallPanelComponent } from '../call/call-panel.component';
import { ProxyPanelComponent } from '../proxy/proxy-panel.component';
import { ConnectionBannerComponent } from '../../shared/ui/connection-banner.component';
import { StateBadgeComponent } from '../../shared/ui/state-badge.component';
import { CustomerSessionService } from './customer-session.service';

/** The customer's page: type (or follow a link with) the 6-digit code, then chat. */
@Component({
  selector: 'app-join-page',
  imports: [CallPanelComponent, ChatPanelComponent, ProxyPanelComponent, ConnectionBannerComponent, StateBadgeComponent],
  providers: [CustomerSessionService],
  template: `
    @if (session.chat(); as chat) {
      @let e = chat.engagement();
      <div class="customer-shell">
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
          @if (error() || chat.error(); as msg) {
            <p class="pane-error" role="alert">{{ msg }}</p>
          }
          @if (e) {
            <app-call-panel
              [engagementId]="e.id"
              role="customer"
              [socket]="session.socket()"
              [peerName]="e.agent?.displayName || 'the agent'"
              [engagementActive]="e.state === 'active'"
            />
            <app-proxy-panel [engagementId]="e.id" role="customer" [socket]="session.socket()" [engagementActive]="e.state === 'active'" />
          }
          <app-chat-panel [state]="chat" mine="customer" [peerName]="e?.agent?.displayName || 'support'" />
        </main>
      </div>
    } @else {
      <main class="auth-page">
        <section class="auth-card" aria-labelledby="join-title">
          <div class="brand"><span class="logo" aria-hidden="true"></span> Support chat</div>
          <h1 id="join-title">Join a conversation</h1>
          <p class="lead">Enter the 6-digit code the agent gave you.</p>
          @if (session.notice()) {
            <p class="notice" role="status">{{ session.notice() }}</p>
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
    .customer-chat { flex: 1; min-height: 0; }
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

  ngOnInit(): void {
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
