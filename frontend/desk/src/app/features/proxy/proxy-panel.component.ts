import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, type ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import { PROXY_EV, type ProxyDevice, type ProxyFrame, type ResolvedProxyInput as ProxyInput, type ProxyNavigateCommand, type ProxyView } from '@engage/protocol';
import { describeError, runAction } from '../../core/errors';
import { keyInput, mouseInput, toPage } from './proxy-input';

/** This browser as a device, for the shared browser to be dressed like it. */
export function thisDevice(): ProxyDevice {
  return {
    width: Math.max(200, Math.round(window.innerWidth)),
    height: Math.max(200, Math.round(window.innerHeight)),
    deviceScaleFactor: Math.min(4, Math.max(1, window.devicePixelRatio || 1)),
    isMobile: matchMedia('(pointer: coarse)').matches && window.innerWidth < 820,
    hasTouch: navigator.maxTouchPoints > 0,
    locale: /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(navigator.language) ? navigator.language : undefined,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || undefined,
  };
}

/**
 * Browse together (proxy co-browse): a browser on the server that the customer and the agent both
 * see (frames painted on a canvas) and drive, one at a time. The backend decides; this panel asks and follows.
 */
@Component({
  selector: 'app-proxy-panel',
  template: `
    @let v = view();
    @let s = v?.status ?? 'off';
    @if (s !== 'off' || role() === 'agent' || v?.reason) {
      <section class="proxy" [class.live]="s !== 'off'" aria-label="Browse together">
        <div class="bar">
          @if (s === 'off') {
            @if (role() === 'agent' && engagementActive()) {
              <form class="start" (submit)="start($event)">
                <input class="url" data-testid="proxy-url" type="url" placeholder="https://example.com" aria-label="Address to open together" [value]="startUrl()" (input)="startUrl.set(value($event))" />
                <button type="submit" class="btn primary small" data-testid="proxy-start" [disabled]="busy() || !startUrl().trim()">Browse together</button>
              </form>
            }
          } @else {
            <button type="button" class="btn small" aria-label="Back" data-testid="proxy-back" [disabled]="s !== 'running'" (click)="nav({ action: 'back' })">‹</button>
            <button type="button" class="btn small" aria-label="Forward" data-testid="proxy-forward" [disabled]="s !== 'running'" (click)="nav({ action: 'forward' })">›</button>
            <button type="button" class="btn small" aria-label="Reload" data-testid="proxy-reload" [disabled]="s !== 'running'" (click)="nav({ action: 'reload' })">⟳</button>
            <form class="address" (submit)="go($event)">
              <input class="url" data-testid="proxy-address" type="text" aria-label="Address" [value]="address()" (input)="address.set(value($event))" />
            </form>
            @if (v?.driver === role()) {
              <span class="driver" data-testid="proxy-driver">You drive</span>
            } @else {
              <button type="button" class="btn small" data-testid="proxy-take-control" [disabled]="s !== 'running'" (click)="take()">Take control</button>
            }
            <button type="button" class="btn danger small" data-testid="proxy-stop" (click)="stop()">Stop</button>
          }
        </div>
        <p class="status" data-testid="proxy-status" role="status" aria-live="polite">{{ statusText() }}</p>
        @if (role() === 'customer' && continueUrl(); as url) {
          <p class="continue">Continue in your own browser: <a data-testid="proxy-continue" [href]="url" target="_blank" rel="noopener noreferrer">{{ url }}</a></p>
        }
        @if (error(); as msg) {
          <p class="error" role="alert">{{ msg }}</p>
        }
        <div class="stage" [hidden]="s === 'off'">
          <canvas
            #canvas
            data-testid="proxy-view"
            tabindex="0"
            aria-label="The shared page"
            [class.driving]="v?.driver === role()"
            (mousedown)="onMouse('down', $event)"
            (mouseup)="onMouse('up', $event)"
            (mousemove)="onMouse('move', $event)"
            (wheel)="onWheel($event)"
            (keydown)="onKey($event)"
            (touchstart)="onTouch('start', $event)"
            (touchmove)="onTouch('move', $event)"
            (touchend)="onTouch('end', $event)"
            (touchcancel)="onTouch('cancel', $event)"
            (contextmenu)="$event.preventDefault()"
          ></canvas>
        </div>
      </section>
    }
  `,
  styles: `
    :host { display: block; }
    .proxy { border-bottom: 1px solid var(--border); background: var(--surface); }
    .bar { display: flex; align-items: center; gap: 6px; padding: 8px 16px; flex-wrap: wrap; }
    .start, .address { display: flex; gap: 6px; flex: 1; min-width: 160px; }
    .url { flex: 1; min-width: 0; font: inherit; padding: 4px 8px; border: 1px solid var(--border); border-radius: 6px; }
    .driver { font-size: 0.8rem; color: var(--muted); }
    .status { margin: 0 16px 6px; font-size: 0.875rem; color: var(--muted); overflow-wrap: anywhere; }
    .continue { margin: 0 16px 8px; font-size: 0.875rem; overflow-wrap: anywhere; }
    .error { margin: 0 16px 8px; color: var(--danger); font-size: 0.875rem; }
    .stage { display: flex; justify-content: center; background: #222; padding: 6px; }
    .stage[hidden] { display: none; }
    canvas { display: block; max-width: 100%; max-height: 62vh; width: auto; height: auto; background: #fff; outline: none; touch-action: none; cursor: not-allowed; }
    canvas.driving { cursor: default; box-shadow: 0 0 0 2px var(--accent, #3b82f6); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProxyPanelComponent {
  readonly engagementId = input.required<string>();
  readonly role = input.required<'agent' | 'customer'>();
  readonly socket = input.required<EngageSocket | null>();
  readonly engagementActive = input(false);

  protected readonly view = signal<ProxyView | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly startUrl = signal('');
  protected readonly address = signal('');
  private readonly canvas = viewChild<ElementRef<HTMLCanvasElement>>('canvas');
  /** Size of the shared page in CSS pixels (input coordinates), from the last frame. */
  #page = { width: 1, height: 1 };
  #pending: ProxyFrame | null = null;
  #painting = false;
  #buttonDown = false;

  /** Once stopped: the last page, for the customer to open in their own browser (http(s) only). */
  protected readonly continueUrl = computed(() => {
    const v = this.view();
    return v?.status === 'off' && v.url && /^https?:\/\//.test(v.url) ? v.url : null;
  });

  protected readonly statusText = computed(() => {
    const v = this.view();
    if (!v || v.status === 'off') return v?.reason ?? (this.role() === 'agent' ? 'Open a page to browse together with the customer.' : '');
    if (v.blockedReason) return v.blockedReason;
    if (v.status === 'starting') return 'Starting the shared browser…';
    const who = v.driver === this.role() ? 'you drive' : `${v.driver === 'agent' ? 'the agent' : 'the customer'} drives`;
    return `${v.title || v.url || 'Loading…'} · ${who}`;
  });

  constructor() {
    effect((onCleanup) => {
      const socket = this.socket();
      const id = this.engagementId();
      untracked(() => this.view.set(null));
      if (!socket) return;
      const offState = socket.on(PROXY_EV.state, (v) => {
        if (v.engagementId !== id) return;
        this.view.set(v);
        if (v.url && v.url !== 'about:blank') this.address.set(v.url);
      });
      const offFrame = socket.on(PROXY_EV.frame, (f) => {
        if (f.engagementId === id) this.#paint(f);
      });
      // The customer reports its device, so that a shared browser started by the agent fits it.
      const report = () => {
        if (this.role() === 'customer' && socket.connected) void socket.request(PROXY_EV.device, { engagementId: id, device: thisDevice() }).catch(() => undefined);
      };
      report();
      const offStatus = socket.onStatus((st) => st === 'connected' && report());
      onCleanup(() => {
        offState();
        offFrame();
        offStatus();
      });
    });
    inject(DestroyRef).onDestroy(() => (this.#pending = null));
  }

  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected start(e: Event): Promise<void> {
    e.preventDefault();
    const url = this.startUrl().trim();
    return this.#ask(async (socket) => {
      await socket.request(PROXY_EV.start, { engagementId: this.engagementId(), url, ...(this.role() === 'customer' ? { device: thisDevice() } : {}) });
    });
  }

  protected go(e: Event): Promise<void> {
    e.preventDefault();
    return this.nav({ action: 'goto', url: this.address().trim() });
  }

  protected nav(command: ProxyNavigateCommand): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(PROXY_EV.navigate, { engagementId: this.engagementId(), command }, 40_000)));
  }

  protected take(): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(PROXY_EV.control, { engagementId: this.engagementId() })));
  }

  protected stop(): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(PROXY_EV.stop, { engagementId: this.engagementId() })));
  }

  // ───────── input (only while this side drives) ─────────

  #driving(): boolean {
    const v = this.view();
    return v?.status === 'running' && v.driver === this.role();
  }

  #send(input: ProxyInput): void {
    const socket = this.socket();
    if (!socket || !this.#driving()) return;
    socket.request(PROXY_EV.input, { engagementId: this.engagementId(), input }).catch((err: unknown) => this.error.set(describeError(err)));
  }

  protected onMouse(type: 'down' | 'up' | 'move', e: MouseEvent): void {
    const canvas = this.canvas()?.nativeElement;
    if (!canvas || !this.#driving()) return;
    if (type === 'down') {
      this.#buttonDown = true;
      canvas.focus();
    }
    // Moves matter for drags and hovers; without a button they are skipped to keep the channel lean.
    if (type === 'move' && !this.#buttonDown) return;
    if (type === 'up') this.#buttonDown = false;
    e.preventDefault();
    this.#send(mouseInput(type, e, toPage(canvas, this.#page, e.clientX, e.clientY)));
  }

  protected onWheel(e: WheelEvent): void {
    const canvas = this.canvas()?.nativeElement;
    if (!canvas || !this.#driving()) return;
    e.preventDefault();
    const at = toPage(canvas, this.#page, e.clientX, e.clientY);
    this.#send({ kind: 'mouse', type: 'wheel', ...at, button: 'left', clickCount: 1, deltaX: e.deltaX, deltaY: e.deltaY });
  }

  protected onKey(e: KeyboardEvent): void {
    if (!this.#driving()) return;
    const input = keyInput(e);
    if (!input) return;
    e.preventDefault();
    this.#send(input);
  }

  protected onTouch(type: 'start' | 'move' | 'end' | 'cancel', e: TouchEvent): void {
    const canvas = this.canvas()?.nativeElement;
    if (!canvas || !this.#driving()) return;
    e.preventDefault();
    const points = type === 'end' || type === 'cancel' ? [] : [...e.touches].slice(0, 10).map((t) => ({ ...toPage(canvas, this.#page, t.clientX, t.clientY), id: t.identifier % 1000 }));
    this.#send({ kind: 'touch', type, points });
  }

  // ───────── painting: the newest frame wins, one decode at a time ─────────

  #paint(f: ProxyFrame): void {
    this.#pending = f;
    if (this.#painting) return;
    this.#painting = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending) {
        const f = this.#pending;
        this.#pending = null;
        const img = new Image();
        img.src = `data:image/jpeg;base64,${f.data}`;
        try {
          await img.decode();
        } catch {
          continue;
        }
        const canvas = this.canvas()?.nativeElement;
        if (!canvas) continue;
        if (canvas.width !== img.naturalWidth || canvas.height !== img.naturalHeight) {
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
        }
        // Shown at the page's CSS size when it fits; the stylesheet scales it down to fit otherwise.
        canvas.style.aspectRatio = `${f.width} / ${f.height}`;
        this.#page = { width: f.width, height: f.height };
        canvas.getContext('2d')?.drawImage(img, 0, 0);
      }
    } finally {
      this.#painting = false;
    }
  }

  async #ask(fn: (socket: EngageSocket) => Promise<void>): Promise<void> {
    const socket = this.socket();
    if (!socket) return;
    await runAction({ busy: this.busy, error: this.error }, () => fn(socket));
  }
}
