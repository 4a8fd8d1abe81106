import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { EngagementState } from '@engage/protocol';
import { stateLabel } from '../../core/format';

@Component({
  selector: 'app-state-badge',
  template: `<span class="badge" [class]="'badge state-' + state()" [attr.data-testid]="testid()" [attr.data-state]="state()">{{ label() }}</span>`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StateBadgeComponent {
  readonly state = input.required<EngagementState>();
  readonly testid = input<string | null>(null);
  protected readonly label = computed(() => stateLabel(this.state()));
}
