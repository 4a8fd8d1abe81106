import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { InviteResponse } from '@engage/protocol';
import { LIMITS } from '@engage/protocol';
import { describeError } from '../../../core/errors';
import { formatTime } from '../../../core/format';
import { DeskStore } from '../data/desk.store';

/** "New engagement for a caller": creates an invitation and shows its link and 6-digit code. */
@Component({
  selector: 'app-invite-panel',
  imports: [RouterLink],
  template: `
    <section class="panel" aria-labelledby="invite-title">
      <h2 id="invite-title" class="panel-title">Invite a caller</h2>
      @if (invite(); as inv) {
        <div class="invite-result" role="status">
          <p class="hint-text">Read this code to {{ inv.engagement.customerName || 'the caller' }} or send the link. It expires at {{ time(inv.expiresAt) }}.</p>
          <div class="code-row">
            <span class="code" data-testid="invite-code">{{ inv.code }}</span>
            <button type="button" class="btn small" (click)="copy(inv.code, 'code')">{{ copied() === 'code' ? 'Copied' : 'Copy code' }}</button>
          </div>
          <div class="link-row">
            <a class="join-link" data-testid="invite-link" [href]="link(inv)" target="_blank" rel="noopener">{{ link(inv) }}</a>
            <button type="button" class="btn small" data-testid="copy-link" (click)="copy(link(inv), 'link')">{{ copied() === 'link' ? 'Copied' : 'Copy link' }}</button>
          </div>
          <div class="actions">
            <a class="btn primary small" [routerLink]="['/desk/e', inv.engagement.id]">Open chat</a>
            <button type="button" class="btn ghost small" (click)="reset()">New invitation</button>
          </div>
        </div>
      } @else {
        <form class="invite-form" (submit)="create($event)">
          <label for="invite-name">Caller name <span class="optional">(optional)</span></label>
          <div class="row">
            <input id="invite-name" type="text" autocomplete="off" [maxLength]="maxName" [value]="name()" (input)="name.set(value($event))" />
            <button type="submit" class="btn primary" data-testid="invite" [disabled]="busy()">
              {{ busy() ? 'Creating…' : 'New engagement' }}
            </button>
          </div>
        </form>
      }
      @if (error()) {
        <p class="form-error" role="alert">{{ error() }}</p>
      }
    </section>
  `,
  styles: `
    .invite-form label { display: block; font-size: 0.875rem; font-weight: 500; margin-bottom: 6px; }
    .optional { color: var(--muted); font-weight: 400; }
    .row { display: flex; gap: 8px; }
    .row input { flex: 1; min-width: 0; }
    .invite-result { display: flex; flex-direction: column; gap: 10px; }
    .hint-text { margin: 0; font-size: 0.875rem; color: var(--muted); }
    .code-row, .link-row { display: flex; align-items: center; gap: 10px; justify-content: space-between; }
    .code {
      font: 700 1.75rem/1 var(--mono);
      letter-spacing: 0.2em;
      color: var(--text);
      background: var(--surface-2);
      border: 1px solid var(--border);
      border-radius: 8px;
      padding: 8px 12px;
    }
    .join-link { font-size: 0.8125rem; overflow-wrap: anywhere; min-width: 0; }
    .actions { display: flex; gap: 8px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InvitePanelComponent {
  readonly #store = inject(DeskStore);
  protected readonly maxName = LIMITS.customerNameMaxChars;
  protected readonly name = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly invite = signal<InviteResponse | null>(null);
  protected readonly copied = signal<'code' | 'link' | null>(null);
  protected readonly time = formatTime;

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected link(inv: InviteResponse): string {
    return new URL(inv.joinUrl, location.origin).href;
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    this.busy.set(true);
    this.error.set('');
    try {
      this.invite.set(await this.#store.invite(this.name().trim() || undefined));
      this.name.set('');
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }

  protected async copy(text: string, what: 'code' | 'link'): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied.set(what);
      setTimeout(() => this.copied.set(null), 2000);
    } catch {
      this.error.set('Copying is not allowed here. Select the text and copy it by hand.');
    }
  }

  protected reset(): void {
    this.invite.set(null);
    this.copied.set(null);
  }
}
