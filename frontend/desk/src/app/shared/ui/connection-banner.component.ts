import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ConnectionStatus } from '@engage/chat-client';

/** Says so when the realtime connection is not up; silent while all is well. */
@Component({
  selector: 'app-connection-banner',
  template: `
    <div class="slot" role="status">
      @if (text(); as t) {
        <p class="banner" [class.bad]="status() === 'refused'" data-testid="connection-banner" [attr.data-status]="status()">
          @if (status() !== 'refused') {
            <span class="spinner" aria-hidden="true"></span>
          }
          {{ t }}
        </p>
      }
    </div>
  `,
  styles: `
    .banner {
      margin: 0;
      padding: 8px 16px;
      display: flex;
      align-items: center;
      justify-content: center;
      gap: 8px;
      background: var(--warn-bg);
      color: var(--warn-text);
      border-bottom: 1px solid var(--warn-border);
      font-size: 0.875rem;
      font-weight: 500;
    }
    .banner.bad { background: var(--danger-bg); color: var(--danger); border-color: var(--danger); }
    .spinner {
      width: 12px; height: 12px; border-radius: 50%;
      border: 2px solid currentColor; border-right-color: transparent;
      animation: spin 0.9s linear infinite;
    }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConnectionBannerComponent {
  readonly status = input.required<ConnectionStatus>();
  readonly refusedText = input('The server refused the connection.');

  protected readonly text = computed(() => {
    switch (this.status()) {
      case 'connecting':
        return 'Connecting…';
      case 'reconnecting':
        return 'Connection lost. Reconnecting…';
      case 'refused':
        return this.refusedText();
      default:
        return '';
    }
  });
}
