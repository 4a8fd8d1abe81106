import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { DOC_LIMITS } from '@engage/protocol';
import { describeError } from '../../core/errors';
import type { DocRoomSession } from './doc-room.session';

/** The shared calculator: both sides see the same input and the server's result, and who typed. */
@Component({
  selector: 'app-doc-calculator',
  template: `
    @let c = session().room()?.calculator;
    <section class="calc" aria-label="Calculator">
      <input
        class="input"
        data-testid="doc-calc-input"
        aria-label="Calculation"
        inputmode="decimal"
        [maxLength]="max"
        [value]="c?.input ?? ''"
        [disabled]="readOnly()"
        (input)="send(value($event))"
      />
      <output class="result" data-testid="doc-calc-result" aria-live="polite" [class.bad]="c && !c.ok">{{ c?.result ?? '' }}</output>
      @if (c?.by; as by) {
        <span class="by" data-testid="doc-calc-by">typed by {{ by === 'agent' ? 'the agent' : 'the customer' }}</span>
      }
      @if (!readOnly()) {
        <div class="keys">
          @for (k of keys; track k) {
            <button type="button" class="btn small" [attr.aria-label]="label(k)" [attr.data-testid]="'doc-calc-key-' + k" (click)="press(k)">{{ k }}</button>
          }
        </div>
      }
      @if (error(); as msg) {
        <p class="error" role="alert">{{ msg }}</p>
      }
    </section>
  `,
  styles: `
    .calc { display: grid; gap: 6px; max-width: 260px; }
    .input { font-family: var(--mono); padding: 4px 8px; border: 1px solid var(--border); border-radius: 6px; }
    .result { font-family: var(--mono); font-size: 1.1rem; font-weight: 600; min-height: 1.4em; }
    .result.bad { color: var(--danger); font-size: 0.875rem; font-family: inherit; }
    .by { font-size: 0.75rem; color: var(--muted); }
    .keys { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4px; }
    .error { margin: 0; color: var(--danger); font-size: 0.875rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocCalculatorComponent {
  readonly session = input.required<DocRoomSession>();
  readonly readOnly = input(false);
  protected readonly error = signal('');
  protected readonly max = DOC_LIMITS.calcInputMaxChars;
  protected readonly keys = ['7', '8', '9', '/', '4', '5', '6', '*', '1', '2', '3', '-', '0', '.', '(', '+', ')', '%', 'C', '⌫'];
  protected readonly current = computed(() => this.session().room()?.calculator.input ?? '');

  protected label(k: string): string {
    return ({ '/': 'Divide', '*': 'Multiply', '-': 'Minus', '+': 'Plus', '.': 'Decimal point', C: 'Clear', '⌫': 'Delete last', '%': 'Percent', '(': 'Open bracket', ')': 'Close bracket' } as Record<string, string>)[k] ?? k;
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected press(k: string): void {
    const cur = this.current();
    this.send(k === 'C' ? '' : k === '⌫' ? cur.slice(0, -1) : (cur + k).slice(0, this.max));
  }

  protected send(input: string): void {
    this.error.set('');
    this.session()
      .calc(input)
      .catch((err: unknown) => this.error.set(describeError(err)));
  }
}
