import type { EngageSocket } from '@engage/chat-client';
import { EV, type CobrowseView, type ControlInput, type RecordedEvent } from '@engage/protocol';
import { Replayer, type eventWithTime } from 'rrweb';
import { applyDueNow } from './apply-now';
import { CanvasPainter, browserDecoder, canvasFrameOf } from './canvas-frames';
import { fitTransform, fitViewport, unfitPoint, type Fit, type Size } from './fit';
import { FieldDrafts } from './remote-input';
import { LiveFeed, RRWEB_META, type FeedStep } from './live-feed';
import { MissingImageReporter } from './missing-images';
import { ensureViewerStyles } from './viewer-styles';

/** The socket surface the viewer uses (an EngageSocket, or a stand-in in tests and demos). */
export type ViewerSocket = Pick<EngageSocket, 'request' | 'on' | 'onStatus'>;

export interface CobrowseViewerOptions {
  /** Element the live view fills; give it a size (the replay is scaled to fit it). */
  container: HTMLElement;
  socket: ViewerSocket;
  engagementId: string;
  /** Every co-browse state the viewer learns (the watch answer, then each cobrowse/state). */
  onState?(view: CobrowseView): void;
  /** Largest scale the replay is drawn at (default 1: fit down, never blow up). */
  maxScale?: number;
}

/**
 * - `connecting`: asking the server to watch;
 * - `waiting`: watching, but no page has arrived yet;
 * - `live`: replaying the customer's page;
 * - `failed`: the watch was refused (see `error`);
 * - `closed`.
 */
export type ViewerStatus = 'connecting' | 'waiting' | 'live' | 'failed' | 'closed';

interface ViewerEvents {
  /** The status changed. */
  status: ViewerStatus;
  /** The customer's viewport changed size (a Meta event). */
  viewport: Size;
  /** Emitted once, when close() ran. */
  closed: void;
  /** Something about remote control to tell the agent (a refused input, a failed send). */
  notice: string;
}
type Listener<T> = (value: T) => void;

/**
 * Live replay of a customer's page, recorded by the snippet with rrweb and relayed by the backend.
 * Events apply as they arrive (see LiveFeed); a new page (Meta + FullSnapshot) rebuilds the same
 * iframe. The iframe is rrweb's sandboxed one (`sandbox="allow-same-origin"`, never allow-scripts),
 * so nothing in the recorded page can run.
 */
export class CobrowseViewer {
  readonly engagementId: string;
  #status: ViewerStatus = 'connecting';
  #error: string | null = null;
  #closed = false;
  #replayer: Replayer | null = null;
  #painter: CanvasPainter | null = null;
  #viewport: Size | null = null;
  readonly #feed = new LiveFeed();
  readonly #container: HTMLElement;
  readonly #root: HTMLDivElement;
  readonly #socket: ViewerSocket;
  readonly #onState?: (view: CobrowseView) => void;
  readonly #maxScale: number;
  readonly #teardown: Array<() => void> = [];
  readonly #listeners = new Map<keyof ViewerEvents, Set<Listener<never>>>();
  /** Set while a watch request is in flight: live events that arrive meanwhile are held. */
  #pending: RecordedEvent[] | null = null;
  #watchSeq = 0;
  #fit: Fit | null = null;
  /** Catches the agent's pointer and input above the replay (which itself never receives events). */
  readonly #overlay: HTMLDivElement;
  #pointerOn = false;
  #controlOn = false;
  #pointerSentAt = 0;
  #pointerTimer: ReturnType<typeof setTimeout> | undefined;
  #pointerLast: { x: number; y: number } | null = null;
  #pointerShown = false;
  #scrollTimer: ReturnType<typeof setTimeout> | undefined;
  #scrollTo: { x: number; y: number } | null = null;
  #picker: HTMLSelectElement | null = null;
  readonly #drafts = new FieldDrafts();
  /** Images of the replay that need the customer's cookies: the customer's page sends them (cobrowse/images-missing). */
  readonly #missingImages: MissingImageReporter;

  /** Creates the viewer and starts watching right away. */
  static create(options: CobrowseViewerOptions): CobrowseViewer {
    const viewer = new CobrowseViewer(options);
    viewer.#start();
    return viewer;
  }

  private constructor(options: CobrowseViewerOptions) {
    this.engagementId = options.engagementId;
    this.#container = options.container;
    this.#socket = options.socket;
    this.#onState = options.onState;
    this.#maxScale = options.maxScale ?? 1;
    this.#missingImages = new MissingImageReporter({
      send: (images) => this.#socket.request(EV.cobrowseImagesMissing, { engagementId: this.engagementId, images }),
    });
    const doc = this.#container.ownerDocument;
    ensureViewerStyles(doc);
    if (doc.defaultView?.getComputedStyle(this.#container).position === 'static') this.#container.style.position = 'relative';
    this.#root = doc.createElement('div');
    this.#root.className = 'cbv-root';
    this.#overlay = doc.createElement('div');
    this.#overlay.className = 'cbv-overlay';
    this.#overlay.tabIndex = -1;
    this.#overlay.setAttribute('data-testid', 'cobrowse-overlay');
    this.#root.appendChild(this.#overlay);
    this.#container.appendChild(this.#root);
  }

  /** Laser pointer: the agent's mouse over the replay is shown on the customer's page. */
  setPointer(on: boolean): void {
    if (this.#pointerOn === on) return;
    this.#pointerOn = on;
    if (!on) this.#hidePointer();
    this.#syncOverlay();
  }

  /**
   * Remote control (only while the customer granted it): clicks, typing, scrolling and select
   * changes over the replay go to the customer's page. The replay itself stays script-free and inert.
   */
  setControl(on: boolean): void {
    if (this.#controlOn === on) return;
    this.#controlOn = on;
    this.#drafts.clear();
    this.#closePicker();
    this.#syncOverlay();
  }

  #syncOverlay(): void {
    const o = this.#overlay;
    o.classList.toggle('active', this.#pointerOn || this.#controlOn);
    o.classList.toggle('control', this.#controlOn);
    o.tabIndex = this.#controlOn ? 0 : -1;
    o.setAttribute('aria-label', this.#controlOn ? 'Customer’s page: you are in control (click and type here)' : '');
  }

  /** A point of the overlay (client coordinates) on the customer's viewport, or null outside it. */
  #toPage(e: { clientX: number; clientY: number }): { x: number; y: number } | null {
    if (!this.#fit || !this.#viewport) return null;
    const box = this.#container.getBoundingClientRect();
    return unfitPoint({ x: e.clientX - box.left, y: e.clientY - box.top }, this.#fit, this.#viewport);
  }

  #onMove(e: MouseEvent): void {
    if (!this.#pointerOn) return;
    const at = this.#toPage(e);
    if (!at) return this.#hidePointer();
    this.#pointerLast = at;
    const wait = POINTER_INTERVAL_MS - (Date.now() - this.#pointerSentAt);
    if (wait <= 0) this.#sendPointer();
    else this.#pointerTimer ??= setTimeout(() => this.#sendPointer(), wait);
  }

  #sendPointer(): void {
    clearTimeout(this.#pointerTimer);
    this.#pointerTimer = undefined;
    const at = this.#pointerLast;
    if (!at || !this.#pointerOn || this.#closed) return;
    this.#pointerSentAt = Date.now();
    this.#pointerShown = true;
    this.#socket.request(EV.cobrowsePointer, { engagementId: this.engagementId, x: at.x, y: at.y, visible: true }).catch(() => undefined);
  }

  #hidePointer(): void {
    clearTimeout(this.#pointerTimer);
    this.#pointerTimer = undefined;
    this.#pointerLast = null;
    if (!this.#pointerShown || this.#closed) return;
    this.#pointerShown = false;
    this.#socket.request(EV.cobrowsePointer, { engagementId: this.engagementId, x: 0, y: 0, visible: false }).catch(() => undefined);
  }

  /** The replayed element under a point of the customer's viewport, with its rrweb id. */
  #nodeAt(at: { x: number; y: number }): { el: Element; nodeId: number } | null {
    const r = this.#replayer;
    const el = r?.iframe.contentDocument?.elementFromPoint(at.x, at.y) ?? null;
    if (!r || !el) return null;
    const nodeId = r.getMirror().getId(el as unknown as Node);
    return nodeId > 0 ? { el, nodeId } : null;
  }

  #onClick(e: MouseEvent): void {
    if (!this.#controlOn) return;
    e.preventDefault();
    this.#overlay.focus({ preventScroll: true });
    this.#closePicker();
    const at = this.#toPage(e);
    const hit = at && this.#nodeAt(at);
    if (!at || !hit) return;
    this.#emit('notice', ''); // a new attempt: the last refusal no longer applies
    this.#send({ type: 'click', nodeId: hit.nodeId, x: at.x, y: at.y });
    const tag = hit.el.tagName.toLowerCase();
    if (tag === 'input' || tag === 'textarea') this.#drafts.focus(hit.nodeId, (hit.el as HTMLInputElement).value ?? '', tag === 'textarea');
    else this.#drafts.blur();
    if (tag === 'select') this.#openPicker(hit.el as HTMLSelectElement, hit.nodeId);
  }

  #onKey(e: KeyboardEvent): void {
    if (!this.#controlOn) return;
    const input = this.#drafts.key(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey });
    if (!input) return;
    e.preventDefault();
    this.#send(input);
  }

  #onWheel(e: WheelEvent): void {
    if (!this.#controlOn) return;
    e.preventDefault();
    const doc = this.#replayer?.iframe.contentDocument;
    const page = doc?.scrollingElement ?? doc?.documentElement;
    if (!page) return;
    const base = this.#scrollTo ?? { x: page.scrollLeft, y: page.scrollTop };
    this.#scrollTo = { x: Math.max(0, Math.round(base.x + e.deltaX)), y: Math.max(0, Math.round(base.y + e.deltaY)) };
    this.#scrollTimer ??= setTimeout(() => {
      this.#scrollTimer = undefined;
      const to = this.#scrollTo;
      this.#scrollTo = null;
      if (to && this.#controlOn) this.#send({ type: 'scroll', nodeId: null, x: to.x, y: to.y });
    }, SCROLL_INTERVAL_MS);
  }

  /** A <select> of the replay cannot open (no scripts, no events): a real one in the overlay stands in for it. */
  #openPicker(replayed: HTMLSelectElement, nodeId: number): void {
    const fit = this.#fit;
    if (!fit) return;
    const doc = this.#container.ownerDocument;
    const picker = doc.createElement('select');
    picker.className = 'cbv-picker';
    picker.setAttribute('data-testid', 'cobrowse-select');
    for (const o of Array.from(replayed.options)) picker.add(new Option(o.text, o.value, false, o.selected));
    const rect = replayed.getBoundingClientRect();
    picker.style.left = `${fit.left + rect.left * fit.scale}px`;
    picker.style.top = `${fit.top + (rect.top + rect.height) * fit.scale}px`;
    picker.size = Math.min(8, Math.max(2, picker.options.length));
    picker.addEventListener('change', () => {
      this.#send({ type: 'select', nodeId, value: picker.value });
      this.#closePicker();
    });
    picker.addEventListener('click', (ev) => ev.stopPropagation());
    this.#picker = picker;
    this.#root.appendChild(picker);
    picker.focus();
  }

  #closePicker(): void {
    this.#picker?.remove();
    this.#picker = null;
  }

  #send(input: ControlInput): void {
    this.#socket.request(EV.cobrowseControlInput, { engagementId: this.engagementId, input }).catch((err: unknown) => {
      if (!this.#closed) this.#emit('notice', `Not sent: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  get status(): ViewerStatus {
    return this.#status;
  }

  /** Why the watch failed, when status is `failed`. */
  get error(): string | null {
    return this.#error;
  }

  /** The customer's viewport, once a page arrived. */
  get viewport(): Size | null {
    return this.#viewport;
  }

  /** The replayed page (the sandboxed iframe's document), or null before the first page. For tests. */
  replayedDocument(): Document | null {
    return this.#replayer?.iframe.contentDocument ?? null;
  }

  /** The replay iframe, or null before the first page. */
  replayFrame(): HTMLIFrameElement | null {
    return this.#replayer?.iframe ?? null;
  }

  on<K extends keyof ViewerEvents>(event: K, listener: Listener<ViewerEvents[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => void set.delete(listener as Listener<never>);
  }

  /** Stops watching, destroys the replay and removes every listener. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.setPointer(false);
    clearTimeout(this.#scrollTimer);
    for (const off of this.#teardown.splice(0)) off();
    if (this.#watchSeq > 0 && this.#status !== 'failed') {
      this.#socket.request(EV.cobrowseUnwatch, { engagementId: this.engagementId }).catch(() => undefined);
    }
    this.#missingImages.close();
    this.#destroyReplayer();
    this.#root.remove();
    this.#setStatus('closed');
    this.#emit('closed', undefined);
    this.#listeners.clear();
  }

  #start(): void {
    this.#teardown.push(
      this.#socket.on(EV.cobrowseEvents, (m) => {
        if (m.engagementId !== this.engagementId || this.#closed) return;
        if (this.#pending) this.#pending.push(...m.events);
        else this.#apply(this.#feed.live(m.events, () => this.#clock()));
      }),
      this.#socket.on(EV.cobrowseState, (view) => {
        if (view.engagementId === this.engagementId && !this.#closed) this.#onState?.(view);
      }),
    );
    this.#teardown.push(
      this.#socket.on(EV.cobrowseControlNotice, (m) => {
        if (m.engagementId === this.engagementId && !this.#closed) this.#emit('notice', m.message);
      }),
    );
    const o = this.#overlay;
    const listen = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void, opts?: AddEventListenerOptions) => {
      o.addEventListener(type, fn, opts);
      this.#teardown.push(() => o.removeEventListener(type, fn, opts));
    };
    listen('mousemove', (e) => this.#onMove(e));
    listen('mouseleave', () => this.#hidePointer());
    listen('click', (e) => this.#onClick(e));
    listen('keydown', (e) => this.#onKey(e));
    listen('wheel', (e) => this.#onWheel(e), { passive: false });
    // Watch now, and again after every reconnect (the server forgets watchers with their socket).
    this.#teardown.push(this.#socket.onStatus((s) => s === 'connected' && void this.#watch()));
    const resize = new ResizeObserver(() => this.#refit());
    resize.observe(this.#container);
    this.#teardown.push(() => resize.disconnect());
  }

  async #watch(): Promise<void> {
    const seq = ++this.#watchSeq;
    this.#pending = [];
    try {
      const { cobrowse, checkpoint } = await this.#socket.request(EV.cobrowseWatch, { engagementId: this.engagementId });
      if (this.#closed || seq !== this.#watchSeq) return;
      // Live events that overtook the answer were relayed before it was built: the checkpoint holds
      // them already, unless it has no page yet (then they are all there is).
      const held = this.#pending;
      this.#pending = null;
      this.#onState?.(cobrowse);
      const step = this.#feed.checkpoint(checkpoint, () => this.#clock());
      this.#apply(step);
      if (!checkpoint.some((e) => e.type === RRWEB_META) && held.length) this.#apply(this.#feed.live(held, () => this.#clock()));
      if (this.#status === 'connecting') this.#setStatus(this.#replayer ? 'live' : 'waiting');
    } catch (err) {
      if (this.#closed || seq !== this.#watchSeq) return;
      this.#pending = null;
      this.#error = err instanceof Error ? err.message : String(err);
      this.#setStatus('failed');
    }
  }

  /** Current time of the live replay, on the customer's clock. */
  #clock(): number {
    const r = this.#replayer;
    const start = this.#feed.startedAt;
    if (!r || start === null) return -Infinity;
    r.timer.updateLiveTime();
    return start + r.timer.timeOffset;
  }

  #apply(step: FeedStep): void {
    if (this.#closed || step.events.length === 0) return;
    if (step.startAt !== null) this.#createReplayer(step.startAt);
    const r = this.#replayer;
    if (!r) return;
    if (step.advanceBy > 0) r.timer.timeOffset += step.advanceBy;
    for (const e of step.events) r.addEvent(e as eventWithTime);
    // addEvent hands each event to the replayer on a microtask; this one runs after them and puts
    // what is due on screen now rather than at the next animation frame (up to 16.7 ms later).
    const view = this.#container.ownerDocument.defaultView;
    queueMicrotask(() => {
      if (this.#replayer === r && view) applyDueNow(r.timer, (id) => view.cancelAnimationFrame(id));
    });
    if (this.#status !== 'live') this.#setStatus('live');
  }

  #createReplayer(baseline: number): void {
    this.#destroyReplayer();
    const replayer = new Replayer([], {
      root: this.#root,
      liveMode: true,
      mouseTail: false,
      showWarning: false,
      UNSAFE_replayCanvas: false,
      triggerFocus: false,
      // Live events older than the clock apply synchronously; rrweb only flushes its virtual DOM
      // when seeking in recorded playback, never in live mode, so they must go to the real DOM.
      useVirtualDom: false,
      pauseAnimation: false,
      // Every <img> the replay builds (first page, later mutations, frames) is watched for a failed load.
      plugins: [{ onBuild: (node) => this.#watchImage(node as Node) }],
    });
    assertNoScripts(replayer.iframe);
    replayer.iframe.title = 'Customer’s page (live co-browse, view only)';
    replayer.iframe.tabIndex = -1;
    replayer.iframe.setAttribute('referrerpolicy', 'no-referrer');
    // Canvas frames: rrweb leaves them out of a script-free replay; they are painted from here.
    const view = this.#container.ownerDocument.defaultView as (Window & typeof globalThis) | null;
    const painter = view ? new CanvasPainter(browserDecoder(view)) : null;
    this.#painter = painter;
    if (painter) {
      replayer.on('event-cast', (e) => {
        const frame = canvasFrameOf(e as RecordedEvent);
        if (!frame) return;
        const node = replayer.getMirror().getNode(frame.id) as Element | null;
        if (node?.nodeName === 'CANVAS') void painter.paint(node as HTMLCanvasElement, frame);
      });
    }
    replayer.on('fullsnapshot-rebuilded', () => this.#missingImages.newPage());
    replayer.on('resize', (d) => {
      const { width, height } = d as Size;
      this.#viewport = { width, height };
      this.#refit();
      this.#emit('viewport', this.#viewport);
      this.#dropPastPages(replayer);
    });
    this.#replayer = replayer;
    this.#refit();
    replayer.startLive(baseline);
  }

  /**
   * Listens, from outside the script-free frame, for the image failing to load (it needs the
   * customer's cookies, or is a blob: of their page) and reports it with its rrweb id.
   */
  #watchImage(node: Node): void {
    if (node.nodeName !== 'IMG') return;
    const img = node as HTMLImageElement;
    img.addEventListener('error', () => {
      const r = this.#replayer;
      if (!r || this.#closed) return;
      const id = r.getMirror().getId(img);
      const url = img.currentSrc || img.src;
      if (id > 0) this.#missingImages.report(id, url);
    });
  }

  /** Live mode keeps every event; once a new page is on screen the earlier ones are dead weight. */
  #dropPastPages(replayer: Replayer): void {
    const events = replayer.service.state.context.events;
    let last = -1;
    for (let i = events.length - 1; i > 0; i--) {
      if (events[i].type === RRWEB_META) {
        last = i;
        break;
      }
    }
    if (last > 0) events.splice(0, last);
  }

  #refit(): void {
    const wrapper = this.#replayer?.wrapper;
    if (!wrapper || !this.#viewport) return;
    const box = { width: this.#container.clientWidth, height: this.#container.clientHeight };
    this.#fit = fitViewport(box, this.#viewport, this.#maxScale);
    wrapper.style.transform = fitTransform(this.#fit);
  }

  #destroyReplayer(): void {
    const r = this.#replayer;
    if (!r) return;
    this.#replayer = null;
    this.#painter?.close();
    this.#painter = null;
    this.#feed.reset();
    try {
      // destroy() pauses, which live mode ignores: stop the clock so no queued event lands later.
      r.timer.clear();
      r.destroy();
    } catch {
      r.wrapper.remove();
    }
  }

  #setStatus(status: ViewerStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#emit('status', status);
  }

  #emit<K extends keyof ViewerEvents>(event: K, value: ViewerEvents[K]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) (l as Listener<ViewerEvents[K]>)(value);
  }
}

/** The pointer is sent at most this often (ms). */
const POINTER_INTERVAL_MS = 30;
/** Wheel deltas are added up and sent as one scroll this often (ms). */
const SCROLL_INTERVAL_MS = 50;

/** rrweb builds `sandbox="allow-same-origin"`; refuse to show anything if that ever changes. */
function assertNoScripts(iframe: HTMLIFrameElement): void {
  const tokens = Array.from(iframe.sandbox);
  if (!iframe.hasAttribute('sandbox') || tokens.some((t) => t !== 'allow-same-origin')) {
    iframe.remove();
    throw new Error(`Refusing to replay: the replay frame is not script-free (sandbox="${iframe.getAttribute('sandbox')}").`);
  }
}
