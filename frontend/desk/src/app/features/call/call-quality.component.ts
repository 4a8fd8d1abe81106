import { ChangeDetectionStrategy, Component, effect, input, signal } from '@angular/core';
import type { CallSession, QualityLevel } from '@engage/media-client';

/** How often the badge reads the call's stats. */
const EVERY_MS = 2000;

const WORDS: Record<QualityLevel, string> = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: '…' };

/**
 * A small badge with the call's connection quality (good / fair / poor); the figures behind it in a
 * sentence on hover and for screen readers.
 */
@Component({
  selector: 'app-call-quality',
  template: `
    @let q = reading();
    <span class="quality" data-testid="call-quality" [attr.data-level]="q.level" [title]="q.summary">
      <span class="dot" aria-hidden="true"></span>
      <span aria-hidden="true">{{ words[q.level] }}</span>
      <span class="visually-hidden">{{ q.summary }}</span>
    </span>
  `,
  styles: `
    :host { display: inline-flex; }
    .quality { display: inline-flex; align-items: center; gap: 6px; padding: 2px 8px; border: 1px solid var(--border); border-radius: 999px; font-size: 0.75rem; font-weight: 600; color: var(--muted); background: var(--surface); }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--border-strong); }
    [data-level='good'] .dot { background: #1f9d55; }
    [data-level='fair'] .dot { background: #d99a00; }
    [data-level='poor'] .dot { background: var(--danger); }
    [data-level='poor'] { color: var(--danger); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallQualityComponent {
  readonly session = input.required<CallSession>();
  protected readonly words = WORDS;
  protected readonly reading = signal<{ level: QualityLevel; summary: string }>({ level: 'unknown', summary: 'Connection quality is not measured yet.' });

  constructor() {
    effect((onCleanup) => {
      const session = this.session();
      let stopped = false;
      const read = async () => {
        const q = await session.quality().catch(() => null);
        if (!stopped && q) this.reading.set({ level: q.level, summary: q.summary });
      };
      void read();
      const timer = setInterval(() => void read(), EVERY_MS);
      onCleanup(() => {
        stopped = true;
        clearInterval(timer);
      });
    });
  }
}
