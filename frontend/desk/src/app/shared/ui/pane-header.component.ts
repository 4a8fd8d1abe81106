import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';

/**
 * The header of a desk pane: "‹ back" (shown on phones), the title, then what the pane projects —
 * its sub-line (`<p class="pane-sub">`) under the title, everything else (badge, actions) after it.
 */
@Component({
  selector: 'header[appPaneHeader]',
  imports: [RouterLink],
  template: `
    <a class="back-link" [routerLink]="backLink()"><span aria-hidden="true">‹</span> {{ backLabel() }}</a>
    <div class="pane-title">
      <h2 class="pane-h">{{ title() }}</h2>
      <ng-content select=".pane-sub" />
    </div>
    <ng-content />
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'pane-header' },
})
export class PaneHeaderComponent {
  readonly backLink = input.required<string>();
  readonly backLabel = input.required<string>();
  readonly title = input.required<string>();
}
