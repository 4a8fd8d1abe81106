import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, type ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import { PROXY_EV, type ProxyDevice, type ProxyDialog, type ProxyPeerPointer, type ResolvedProxyInput as ProxyInput, type ProxyNavigateCommand, type ProxyView } from '@engage/protocol';
import { describeError, runAction } from '../../core/errors';
import { ProxyFramePainter } from './proxy-frame-painter';
import { keyInput, mouseInput, toPage } from './proxy-input';
import { normalizedOn, PEER_POINTER_HIDE_MS, PointerSender } from './proxy-pointer';

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
        @if (myDialog(); as d) {
          <form class="dialog" role="alertdialog" aria-labelledby="proxy-dialog-message" data-testid="proxy-dialog" (submit)="answer($event, true)">
            <p class="dialog-title">The page asks:</p>
            <p id="proxy-dialog-message" class="dialog-message" data-testid="proxy-dialog-message">{{ d.message }}</p>
            @if (d.type === 'prompt') {
              <input class="url" data-testid="proxy-dialog-text" aria-label="Your answer" [value]="dialogText()" (input)="dialogText.set(value($event))" />
            }
            <div class="dialog-actions">
              <button type="submit" class="btn primary small" data-testid="proxy-dialog-ok" [disabled]="busy()">OK</button>
              @if (d.type !== 'alert') {
                <button type="button" class="btn small" data-testid="proxy-dialog-cancel" [disabled]="busy()" (click)="answer($event, false)">Cancel</button>
              }
            </div>
          </form>
        } @else if (v?.dialog; as d) {
          @if (d.for !== role()) {
            <p class="status waiting" data-testid="proxy-dialog-wait" role="status">Waiting for {{ d.name }} to answer a dialog of the page.</p>
          }
        }
        <div class="stage" [hidden]="s === 'off'">
          <div class="screen">
          <canvas
            #canvas
            data-testid="proxy-view"
            tabindex="0"
            aria-label="The shared page"
            [class.driving]="v?.driver === role()"
            (mousedown)="onMouse('down', $event)"
            (mouseup)="onMouse('up', $event)"
            (mousemove)="onMouse('move', $event)"
            (mouseleave)="pointer.leave()"
            (wheel)="onWheel($event)"
            (keydown)="onKey($event)"
            (touchstart)="onTouch('start', $event)"
            (touchmove)="onTouch('move', $event)"
            (touchend)="onTouch('end', $event)"
            (touchcancel)="onTouch('cancel', $event)"
            (contextmenu)="$event.preventDefault()"
          ></canvas>
          @if (peer(); as p) {
            <div class="peer" data-testid="proxy-peer-pointer" aria-hidden="true" [style.left.%]="p.x * 100" [style.top.%]="p.y * 100">
              <span class="peer-label">{{ p.name }}</span>
            </div>
          }
          </div>
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
    .screen { position: relative; max-width: 100%; }
    .peer { position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%; background: #e11d48; border: 2px solid #fff; box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.4); pointer-events: none; transition: left 40ms linear, top 40ms linear; }
    .peer-label { position: absolute; left: 16px; top: -4px; white-space: nowrap; font-size: 0.75rem; color: #fff; background: #e11d48; padding: 1px 6px; border-radius: 4px; }
    .dialog { margin: 0 16px 8px; padding: 10px 12px; border: 1px solid var(--border); border-left: 4px solid var(--accent, #3b82f6); border-radius: 6px; background: var(--surface); display: flex; flex-direction: column; gap: 6px; }
    .dialog-title { margin: 0; font-size: 0.8rem; color: var(--muted); }
    .dialog-message { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .dialog-actions { display: flex; gap: 6px; }
    .waiting { font-style: italic; }
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
  /** The page's dialog as this side received it (it comes only while this side drives). */
  private readonly dialog = signal<ProxyDialog | null>(null);
  protected readonly dialogText = signal('');
  /** The other side's pointer over the shared page, while it moves. */
  protected readonly peer = signal<ProxyPeerPointer | null>(null);
  #peerTimer: ReturnType<typeof setTimeout> | undefined;
  protected readonly pointer = new PointerSender((at) => {
    const socket = this.socket();
    if (socket?.connected && this.view()?.status === 'running') socket.request(PROXY_EV.pointer, { engagementId: this.engagementId(), ...at }).catch(() => undefined);
  });
  /** The dialog to answer here: the view says this side must, and its text has arrived. */
  protected readonly myDialog = computed(() => {
    const want = this.view()?.dialog;
    const d = this.dialog();
    return want && d && want.for === this.role() && want.id === d.id ? d : null;
  });
  private readonly canvas = viewChild<ElementRef<HTMLCanvasElement>>('canvas');
  /** Frames on the canvas: checked, decoded off the main thread, the newest wins. */
  readonly #painter = new ProxyFramePainter({
    canvas: () => this.canvas()?.nativeElement,
    dropped: (code, message) => {
      // A bad frame is let go (the next one paints); said once per kind, not once per frame.
      if (this.#dropsSeen.has(code)) return;
      this.#dropsSeen.add(code);
      console.warn(`proxy/frame dropped (${code}): ${message}`);
    },
  });
  readonly #dropsSeen = new Set<string>();
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
        if (v.status !== 'running') this.peer.set(null);
        if (!v.dialog) this.dialog.set(null);
      });
      const offFrame = socket.on(PROXY_EV.frame, (f) => {
        if (f?.engagementId === id) this.#painter.push(f);
      });
      const offDialog = socket.on(PROXY_EV.dialog, (d) => {
        if (d.engagementId !== id) return;
        this.dialog.set(d);
        this.dialogText.set(d.defaultValue);
      });
      const offPeer = socket.on(PROXY_EV.peerPointer, (p) => {
        if (p.engagementId === id) this.#showPeer(p);
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
        offDialog();
        offPeer();
        offStatus();
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.#painter.close();
      clearTimeout(this.#peerTimer);
      this.pointer.leave();
    });
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

  protected answer(e: Event, accept: boolean): Promise<void> {
    e.preventDefault();
    const d = this.myDialog();
    if (!d) return Promise.resolve();
    const text = d.type === 'prompt' && accept ? this.dialogText() : undefined;
    return this.#ask(async (socket) => {
      await socket.request(PROXY_EV.dialogAnswer, { engagementId: this.engagementId(), dialogId: d.id, accept, ...(text === undefined ? {} : { text }) });
      if (this.dialog()?.id === d.id) this.dialog.set(null);
    });
  }

  #showPeer(p: ProxyPeerPointer): void {
    clearTimeout(this.#peerTimer);
    if (!p.visible) return this.peer.set(null);
    this.peer.set(p);
    this.#peerTimer = setTimeout(() => this.peer.set(null), PEER_POINTER_HIDE_MS);
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
    // Either side's pointer is shown to the other, driving or not (it never reaches the page).
    if (canvas && type === 'move') this.pointer.move(normalizedOn(canvas, e.clientX, e.clientY));
    if (!canvas || !this.#driving()) return;
    if (type === 'down') {
      this.#buttonDown = true;
      canvas.focus();
    }
    // Moves matter for drags and hovers; without a button they are skipped to keep the channel lean.
    if (type === 'move' && !this.#buttonDown) return;
    if (type === 'up') this.#buttonDown = false;
    e.preventDefault();
    this.#send(mouseInput(type, e, toPage(canvas, this.#painter.page, e.clientX, e.clientY)));
  }

  protected onWheel(e: WheelEvent): void {
    const canvas = this.canvas()?.nativeElement;
    if (!canvas || !this.#driving()) return;
    e.preventDefault();
    const at = toPage(canvas, this.#painter.page, e.clientX, e.clientY);
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
    // On a touch screen the finger is the pointer: the other side sees where it rests and moves.
    const finger = e.touches[0];
    if (canvas && finger) this.pointer.move(normalizedOn(canvas, finger.clientX, finger.clientY));
    if (!canvas || !this.#driving()) return;
    e.preventDefault();
    const points = type === 'end' || type === 'cancel' ? [] : [...e.touches].slice(0, 10).map((t) => ({ ...toPage(canvas, this.#painter.page, t.clientX, t.clientY), id: t.identifier % 1000 }));
    this.#send({ kind: 'touch', type, points });
  }

  async #ask(fn: (socket: EngageSocket) => Promise<void>): Promise<void> {
    const socket = this.socket();
    if (!socket) return;
    await runAction({ busy: this.busy, error: this.error }, () => fn(socket));
  }
}
