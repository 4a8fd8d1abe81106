import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  type ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { CobrowseViewer } from '@engage/cobrowse-viewer';
import { type CobrowseStatus, type CobrowseView, type ControlStatus, EV } from '@engage/protocol';
import { runAction } from '../../core/errors';
import { StaffSocket } from '../../core/realtime/staff-socket.service';

/**
 * Direct co-browse of one engagement: the agent asks to see the customer's page, and once the
 * customer allows it the page is replayed live here. A supervisor sees the same, read-only.
 * The replay exists only while the status is `active`: `paused` (a protected page) and `off`
 * show words, never the page.
 */
@Component({
  selector: 'app-cobrowse-panel',
  template: `
    @let s = status();
    @let v = view();
    <div class="bar">
      <div class="info">
        <p class="status" data-testid="cobrowse-status" role="status" aria-live="polite" [class.live]="s === 'active'">
          {{ statusText() }}
        </p>
        @if (s === 'active' && v?.page; as page) {
          <p class="page" data-testid="cobrowse-page">
            <span class="title">{{ page.title || 'Untitled page' }}</span>
            <span class="url" [title]="page.url">{{ page.url }}</span>
          </p>
        }
      </div>
      @if (mode() === 'agent') {
        <div class="actions">
          @if (s === 'off' && engagementActive()) {
            <button type="button" class="btn primary small" data-testid="cobrowse-start" [disabled]="busy()" (click)="start()">
              Co-browse this page
            </button>
          } @else if (s === 'requesting') {
            <button type="button" class="btn small" data-testid="cobrowse-cancel" [disabled]="busy()" (click)="stop()">Cancel</button>
          } @else if (s === 'active' || s === 'paused') {
            @if (s === 'active') {
              <button
                type="button"
                class="btn small"
                data-testid="cobrowse-pointer"
                [class.on]="pointerOn()"
                [attr.aria-pressed]="pointerOn()"
                (click)="pointerOn.set(!pointerOn())"
              >
                Pointer
              </button>
              @if (control() === 'granted') {
                <button type="button" class="btn small on" data-testid="cobrowse-control-release" [disabled]="busy()" (click)="releaseControl()">
                  Release control
                </button>
              } @else {
                <button
                  type="button"
                  class="btn small"
                  data-testid="cobrowse-control-request"
                  [disabled]="busy() || control() === 'requesting'"
                  (click)="requestControl()"
                >
                  {{ control() === 'requesting' ? 'Asking for control…' : 'Ask for control' }}
                </button>
              }
            }
            <button type="button" class="btn danger small" data-testid="cobrowse-stop" [disabled]="busy()" (click)="stop()">
              Stop co-browsing
            </button>
          }
        </div>
      }
    </div>
    @if (error(); as msg) {
      <p class="error" role="alert">{{ msg }}</p>
    }
    @if (s === 'active' && notice(); as note) {
      <p class="notice" data-testid="cobrowse-control-notice" role="status">{{ note }}</p>
    }
    @if (s === 'paused') {
      <div class="paused-note" data-testid="cobrowse-paused">
        <p><strong>{{ customerName() }} is on a page the site keeps private.</strong></p>
        <p>Nothing of it is shared. The view comes back when {{ customerName() }} chooses “Share this page” in the banner; you can keep chatting meanwhile.</p>
      </div>
    }
    <div
      #replay
      class="view"
      data-testid="cobrowse-view"
      role="region"
      [attr.aria-label]="'Live view of ' + customerName() + (control() === 'granted' ? '’s page (you are in control)' : '’s page (view only)')"
      [hidden]="s !== 'active'"
    ></div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 0; min-width: 0; background: var(--surface); }
    :host(.is-open) { flex: 1; }
    .bar { display: flex; align-items: center; gap: 12px; padding: 8px 16px; border-bottom: 1px solid var(--border); flex-wrap: wrap; }
    .info { flex: 1; min-width: 0; }
    .status { margin: 0; font-size: 0.875rem; color: var(--muted); }
    .status.live { color: var(--success); font-weight: 600; }
    .page { margin: 2px 0 0; font-size: 0.8125rem; display: flex; gap: 8px; min-width: 0; }
    .page .title { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 45%; }
    .page .url { color: var(--muted); font-family: var(--mono); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
    .actions { display: flex; gap: 8px; }
    .btn.on { background: var(--danger-bg); color: var(--danger); border-color: var(--danger); }
    .notice { margin: 0; padding: 6px 16px; background: var(--surface-2); color: var(--text); font-size: 0.875rem; }
    .error { margin: 0; padding: 6px 16px; background: var(--danger-bg); color: var(--danger); font-size: 0.875rem; }
    .view { position: relative; flex: 1; min-height: 240px; overflow: hidden; background: #d5dae2; }
    .view[hidden] { display: none; }
    .paused-note { flex: 1; display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center; padding: 24px; color: var(--muted); background: var(--surface-2); }
    .paused-note p { margin: 4px 0; max-width: 44ch; }
    .paused-note strong { color: var(--text); }
    @media (max-width: 720px) {
      .bar { padding: 8px 12px; }
      .view { flex: none; height: min(52vh, 440px); min-height: 200px; }
      .page .title { max-width: 40%; }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.is-open]': 'open()', '[attr.data-cobrowse]': 'status()' },
})
export class CobrowsePanelComponent {
  readonly engagementId = input.required<string>();
  /** `supervisor`: read-only, no start or stop. */
  readonly mode = input<'agent' | 'supervisor'>('agent');
  readonly customerName = input('the customer');
  /** Co-browse is only possible, and only watched, while the engagement is active. */
  readonly engagementActive = input(false);

  readonly #socket = inject(StaffSocket).socket;
  private readonly viewEl = viewChild<ElementRef<HTMLElement>>('replay');
  // Plain signals reset by the effect below when the engagement changes: the host pane reads
  // open() before it has bound engagementId, so nothing here may read that input eagerly.
  /** Latest co-browse state of this engagement (null until known). */
  protected readonly view = signal<CobrowseView | null>(null);
  /** Whether the state was learned once (from the first watch), so the probe stops. */
  readonly #known = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  readonly status = computed<CobrowseStatus>(() => this.view()?.status ?? 'off');
  protected readonly control = computed<ControlStatus>(() => (this.status() === 'active' ? (this.view()?.control ?? 'none') : 'none'));
  /** The agent's laser pointer over the replay. */
  protected readonly pointerOn = signal(false);
  /** The last thing the customer's page said about remote control (a refused input). */
  protected readonly notice = signal('');
  /** The live viewer while one runs (a plain field: effects never write signals here). */
  #viewer: CobrowseViewer | null = null;
  /** Only the agent points and controls, and only while the page is live. */
  readonly #pointerWanted = computed(() => this.mode() === 'agent' && this.status() === 'active' && this.pointerOn());
  readonly #controlWanted = computed(() => this.mode() === 'agent' && this.control() === 'granted');
  /** Anything beyond the start button to show: the pane gives the panel room when true. */
  readonly open = computed(() => this.status() !== 'off');
  protected readonly statusText = computed(() => {
    const v = this.view();
    const who = this.customerName();
    switch (this.status()) {
      case 'off':
        return v?.reason || (this.mode() === 'agent' ? `Ask ${who} to share the page they are on.` : 'No co-browse.');
      case 'requesting':
        return `Waiting for ${who} to allow…`;
      case 'active':
        if (this.control() === 'granted') return this.mode() === 'agent' ? `You control ${who}’s page` : `${v?.agentName || 'The agent'} controls ${who}’s page`;
        if (this.control() === 'requesting') return `Waiting for ${who} to allow control…`;
        return this.mode() === 'agent' ? `Seeing ${who}’s page live` : `${v?.agentName || 'The agent'} is seeing ${who}’s page live`;
      case 'paused':
        return 'Paused: the customer is on a protected page';
    }
  });
  /**
   * A viewer runs while co-browse is active, and once at the start to learn the state (watching
   * answers with it). Paused or off closes it, which throws the replayed page away.
   */
  readonly #wantViewer = computed(() => this.engagementActive() && (this.status() === 'active' || !this.#known()));

  constructor() {
    effect((onCleanup) => {
      const engagementId = this.engagementId();
      untracked(() => {
        this.view.set(null);
        this.#known.set(false);
        this.error.set('');
      });
      const off = this.#socket.on(EV.cobrowseState, (v) => v.engagementId === engagementId && this.#setView(v));
      onCleanup(off);
    });
    effect((onCleanup) => {
      const container = this.viewEl()?.nativeElement;
      if (!this.#wantViewer() || !container) return;
      const engagementId = this.engagementId();
      const viewer = untracked(() =>
        CobrowseViewer.create({ container, socket: this.#socket, engagementId, onState: (v) => this.#setView(v) }),
      );
      viewer.on('notice', (m) => this.notice.set(m));
      this.#viewer = viewer;
      untracked(() => this.#applyTools(viewer));
      viewer.on('status', (s) => {
        if (s === 'failed') {
          this.#known.set(true);
          if (this.status() === 'active') this.error.set(`The live view could not start: ${viewer.error ?? 'unknown error'}`);
        }
      });
      onCleanup(() => {
        viewer.close();
        if (this.#viewer === viewer) this.#viewer = null;
      });
    });
    // Pointer and control follow the toggle and the customer's grant.
    effect(() => {
      this.#pointerWanted();
      this.#controlWanted();
      const viewer = this.#viewer;
      if (viewer) untracked(() => this.#applyTools(viewer));
    });
  }

  #applyTools(viewer: CobrowseViewer): void {
    viewer.setPointer(this.#pointerWanted());
    viewer.setControl(this.#controlWanted());
  }

  protected async requestControl(): Promise<void> {
    await this.#send(() => this.#socket.request(EV.cobrowseControlRequest, { engagementId: this.engagementId() }));
  }

  protected async releaseControl(): Promise<void> {
    await this.#send(() => this.#socket.request(EV.cobrowseControlRevoke, { engagementId: this.engagementId() }));
  }

  /** Asks the customer to share their page (also what the desk's mode bar does when the agent goes to it). */
  async start(): Promise<void> {
    await this.#send(() => this.#socket.request(EV.cobrowseRequest, { engagementId: this.engagementId() }));
  }

  protected async stop(): Promise<void> {
    await this.#send(() => this.#socket.request(EV.cobrowseStop, { engagementId: this.engagementId() }));
  }

  async #send(request: () => Promise<{ cobrowse: CobrowseView }>): Promise<void> {
    await runAction({ busy: this.busy, error: this.error }, async () => this.#setView((await request()).cobrowse));
  }

  #setView(v: CobrowseView): void {
    if (v.engagementId !== this.engagementId()) return;
    this.#known.set(true);
    if (v.status !== 'active' || v.control === 'none') this.notice.set('');
    this.view.set(v);
  }
}
