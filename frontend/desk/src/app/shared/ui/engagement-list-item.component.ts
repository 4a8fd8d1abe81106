import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { EngagementView } from '@engage/protocol';
import { StateBadgeComponent } from './state-badge.component';

/**
 * One engagement in a sidebar list, as a link that opens it: the customer's name, the sub-line the
 * page projects, and the state badge unless `badge` is false. Its host is the list's `<li>`.
 */
@Component({
  selector: 'li[appEngagementListItem]',
  imports: [RouterLink, StateBadgeComponent],
  template: `
    @let e = engagement();
    <a
      class="item link-item"
      [attr.data-testid]="testid()"
      [attr.data-engagement-id]="e.id"
      [routerLink]="link()"
      [class.selected]="selected()"
      [attr.aria-current]="selected() ? 'true' : null"
    >
      <div class="item-main">
        <span class="item-title">{{ e.customerName || 'Visitor' }}</span>
        <span class="item-sub"><ng-content /></span>
      </div>
      @if (badge()) {
        <app-state-badge [state]="e.state" />
      }
    </a>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EngagementListItemComponent {
  readonly engagement = input.required<EngagementView>();
  /** Router link of the pane that shows it. */
  readonly link = input.required<readonly unknown[]>();
  readonly selected = input(false);
  readonly testid = input.required<string>();
  readonly badge = input(true);
}
