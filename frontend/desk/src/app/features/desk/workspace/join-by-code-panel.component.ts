import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { API, type RedeemShareCodeResponse } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../../core/errors';
import { DeskStore } from '../data/desk.store';

/**
 * "Join by code": the customer pressed "Share this page" in the widget and reads a 6-digit code on
 * the phone; the agent types it here and lands in the engagement, co-browsing at once.
 */
@Component({
  selector: 'app-join-by-code-panel',
  template: `
    <section class="panel" aria-labelledby="join-code-title">
      <h2 id="join-code-title" class="panel-title">Join by code</h2>
      <form class="join-form" (submit)="join($event)">
        <label for="share-code">Code the customer reads from “Share this page”</label>
        <div class="row">
          <input
            id="share-code"
            data-testid="share-code-input"
            type="text"
            inputmode="numeric"
            autocomplete="off"
            maxlength="7"
            placeholder="123 456"
            [value]="code()"
            [attr.aria-invalid]="error() ? 'true' : null"
            aria-describedby="share-code-error"
            (input)="code.set(value($event))"
          />
          <button type="submit" class="btn primary" data-testid="share-code-submit" [disabled]="busy()">
            {{ busy() ? 'Joining…' : 'Join' }}
          </button>
        </div>
      </form>
      @if (error()) {
        <p id="share-code-error" class="form-error" role="alert" data-testid="share-code-error">{{ error() }}</p>
      }
    </section>
  `,
  styles: `
    .join-form label { display: block; font-size: 0.875rem; font-weight: 500; margin-bottom: 6px; }
    .row { display: flex; gap: 8px; }
    .row input { flex: 1; min-width: 0; font: 600 1.125rem/1.2 var(--mono); letter-spacing: 0.15em; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JoinByCodePanelComponent {
  readonly #http = inject(HttpClient);
  readonly #store = inject(DeskStore);
  readonly #router = inject(Router);
  protected readonly code = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected async join(event: Event): Promise<void> {
    event.preventDefault();
    const code = this.code().replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) {
      this.error.set('The code has six digits. Ask the customer to read it again.');
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      const res = await firstValueFrom(this.#http.post<RedeemShareCodeResponse>(API.redeemShareCode, { code }));
      this.#store.upsert(res.engagement);
      this.code.set('');
      await this.#router.navigate(['/desk/e', res.engagement.id]);
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
