import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** The main pane when nothing is selected; its sentence comes from the route's data. */
@Component({
  selector: 'app-empty-pane',
  template: `
    <div class="empty-pane">
      <svg aria-hidden="true" width="48" height="48" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.5">
        <path d="M4 5h16v10H9l-5 4z" stroke-linejoin="round" />
      </svg>
      <p>{{ message() }}</p>
    </div>
  `,
  styles: `
    :host { display: flex; flex: 1; min-height: 0; }
    .empty-pane { margin: auto; padding: 32px; text-align: center; color: var(--muted); max-width: 360px; }
    svg { color: var(--border-strong); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EmptyPaneComponent {
  readonly message = input('Nothing selected.');
}
