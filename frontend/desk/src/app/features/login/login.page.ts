import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { AuthService } from '../../core/auth/auth.service';
import { describeError } from '../../core/errors';

@Component({
  selector: 'app-login-page',
  template: `
    <main class="auth-page">
      <section class="auth-card" aria-labelledby="login-title">
        <div class="brand"><span class="logo" aria-hidden="true"></span> Engage</div>
        <h1 id="login-title">Sign in to the desk</h1>
        @if (reason() === 'expired') {
          <p class="notice" role="status">Your session has ended. Please sign in again.</p>
        }
        <form (submit)="submit($event)" novalidate>
          <div class="field">
            <label for="login-email">Email</label>
            <input
              id="login-email"
              data-testid="login-email"
              type="email"
              name="email"
              autocomplete="username"
              required
              [value]="email()"
              (input)="email.set(value($event))"
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="login-error"
            />
          </div>
          <div class="field">
            <label for="login-password">Password</label>
            <input
              id="login-password"
              data-testid="login-password"
              type="password"
              name="password"
              autocomplete="current-password"
              required
              [value]="password()"
              (input)="password.set(value($event))"
              [attr.aria-invalid]="error() ? true : null"
              aria-describedby="login-error"
            />
          </div>
          <p id="login-error" class="form-error" role="alert">{{ error() }}</p>
          <button type="submit" class="btn primary block" data-testid="login-submit" [disabled]="busy()">
            {{ busy() ? 'Signing in…' : 'Sign in' }}
          </button>
        </form>
        <p class="aside">Customer with a code? <a href="/join">Join a conversation</a></p>
      </section>
    </main>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPage {
  readonly returnUrl = input<string>();
  readonly reason = input<string>();

  readonly #auth = inject(AuthService);
  readonly #router = inject(Router);
  protected readonly email = signal('');
  protected readonly password = signal('');
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    const email = this.email().trim();
    if (!email || !this.password()) {
      this.error.set('Enter your email and password.');
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      await this.#auth.login(email, this.password());
      const target = this.returnUrl();
      await this.#router.navigateByUrl(target && target.startsWith('/desk') ? target : '/desk');
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }
}
