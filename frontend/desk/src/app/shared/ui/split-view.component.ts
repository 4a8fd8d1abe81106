import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterOutlet } from '@angular/router';

/**
 * The desk pages' layout: the projected sidebar on the left, the child route's pane on the right.
 * On phones only one shows: the pane while something is selected, else the sidebar.
 */
@Component({
  selector: 'div[appSplitView]',
  imports: [RouterOutlet],
  template: `
    <aside class="sidebar" [attr.aria-label]="sidebarLabel()"><ng-content /></aside>
    <section class="main-pane">
      <router-outlet />
    </section>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'split', '[class.has-selection]': 'hasSelection()' },
})
export class SplitViewComponent {
  readonly sidebarLabel = input.required<string>();
  readonly hasSelection = input(false);
}
