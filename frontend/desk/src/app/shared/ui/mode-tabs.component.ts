import { ChangeDetectionStrategy, Component, type ElementRef, input, output, viewChildren } from '@angular/core';
import type { ShownMode } from '@engage/protocol';

/** One tab of the mode bar. */
export interface ModeTab {
  mode: ShownMode;
  label: string;
  /** The mode runs (shown with a dot and "running" for screen readers). */
  live: boolean;
}

/** The testid suffix of each mode's tab (the document room's e2e clicks "mode-tab-documents"). */
export const MODE_TESTID: Record<ShownMode, string> = { chat: 'chat', direct: 'direct', proxy: 'proxy', document: 'documents' };

/**
 * The mode bar: a WAI-ARIA tablist (one tab in the tab order, arrow keys / Home / End move and
 * select). The panel it controls is the host page's `#<idPrefix>-panel`.
 */
@Component({
  selector: 'app-mode-tabs',
  template: `
    <div class="tabs" role="tablist" [attr.aria-label]="label()">
      @for (t of tabs(); track t.mode; let i = $index) {
        <button
          #tab
          type="button"
          role="tab"
          class="tab"
          [id]="idPrefix() + '-tab-' + t.mode"
          [attr.data-testid]="'mode-tab-' + testid(t.mode)"
          [attr.aria-selected]="t.mode === selected()"
          [attr.aria-controls]="idPrefix() + '-panel'"
          [attr.tabindex]="t.mode === selected() ? 0 : -1"
          [class.live]="t.live"
          (click)="choose.emit(t.mode)"
          (keydown)="onKey($event, i)"
        >
          {{ t.label }}
          @if (t.live && t.mode !== 'chat') {
            <span class="dot" aria-hidden="true"></span><span class="visually-hidden"> (running)</span>
          }
        </button>
      }
    </div>
  `,
  styles: `
    :host { display: block; }
    .tabs { display: flex; gap: 2px; overflow-x: auto; scrollbar-width: thin; }
    .tab { position: relative; display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; font: inherit; font-size: 0.875rem; font-weight: 600; color: var(--muted); background: none; border: 0; border-bottom: 3px solid transparent; padding: 8px 12px 6px; cursor: pointer; }
    .tab:hover { color: var(--text); background: var(--surface-2); }
    .tab[aria-selected='true'] { color: var(--primary); border-bottom-color: var(--primary); }
    .tab:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--success); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ModeTabsComponent {
  readonly tabs = input.required<readonly ModeTab[]>();
  readonly selected = input.required<ShownMode>();
  /** Accessible name of the tablist. */
  readonly label = input('What to show');
  /** Prefix of the tab and panel ids (unique per page). */
  readonly idPrefix = input('mode');
  readonly choose = output<ShownMode>();
  private readonly buttons = viewChildren<ElementRef<HTMLButtonElement>>('tab');

  protected testid(mode: ShownMode): string {
    return MODE_TESTID[mode];
  }

  protected onKey(e: KeyboardEvent, i: number): void {
    const n = this.tabs().length;
    const next = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    this.buttons()[next]?.nativeElement.focus();
    this.choose.emit(this.tabs()[next].mode);
  }
}
