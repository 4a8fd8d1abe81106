import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { StaffSocket } from '../../core/realtime/staff-socket.service';
import { ConnectionBannerComponent } from '../../shared/ui/connection-banner.component';
import { DeskStore } from './data/desk.store';

/** Top bar, navigation and the realtime connection shared by every desk page. */
@Component({
  selector: 'app-desk-shell',
  imports: [RouterOutlet, RouterLink, ConnectionBannerComponent],
  providers: [StaffSocket, DeskStore],
  template: `
    <a class="skip-link" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="topbar">
      <a class="brand" routerLink="/desk"><span class="logo" aria-hidden="true"></span>Engage<span class="product">desk</span></a>
      <nav aria-label="Desk sections">
        <a routerLink="/desk" [class.active]="section() === 'live'" [attr.aria-current]="section() === 'live' ? 'page' : null" data-testid="nav-live">Live</a>
        <a routerLink="/desk/history" [class.active]="section() === 'history'" [attr.aria-current]="section() === 'history' ? 'page' : null" data-testid="nav-history">History</a>
        @if (auth.canSupervise()) {
          <a routerLink="/desk/supervise" [class.active]="section() === 'supervise'" [attr.aria-current]="section() === 'supervise' ? 'page' : null" data-testid="nav-supervise">Supervise</a>
        }
      </nav>
      <div class="me">
        <span class="status-dot" [class.on]="socket.status() === 'connected'" role="img" [attr.aria-label]="socket.status() === 'connected' ? 'Online' : 'Offline'"></span>
        <span class="who">
          <span class="name">{{ auth.user()?.displayName }}</span>
          <span class="role">{{ auth.user()?.role }}</span>
        </span>
        <button type="button" class="btn ghost-dark" (click)="auth.logout()" data-testid="logout">Sign out</button>
      </div>
    </header>
    <app-connection-banner [status]="socket.status()" refusedText="The server refused the connection. Sign in again." />
    <main id="main" class="desk-main" tabindex="-1">
      <router-outlet />
    </main>
  `,
  styleUrl: './desk-shell.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeskShellComponent {
  protected readonly auth = inject(AuthService);
  protected readonly socket = inject(StaffSocket);

  readonly #router = inject(Router);

  /** With <base href="/"> a bare "#main" link would leave the page; move focus instead. */
  protected skipToMain(event: Event): void {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }

  readonly #url = toSignal(
    this.#router.events.pipe(
      filter((e): e is NavigationEnd => e instanceof NavigationEnd),
      map((e) => e.urlAfterRedirects),
    ),
    { initialValue: this.#router.url },
  );
  protected readonly section = computed(() => {
    const url = this.#url();
    return url.startsWith('/desk/history') ? 'history' : url.startsWith('/desk/supervise') ? 'supervise' : 'live';
  });
}
