import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, ElementRef, inject, input, output, signal, untracked, viewChild, ViewEncapsulation } from '@angular/core';
import { DOC_LIMITS, type Annotation, type AnnotationTool, type DocumentView, type FieldValue, type FormFieldView, type NormRect } from '@engage/protocol';
import type { PDFPageProxy, RenderTask } from 'pdfjs-dist/types/src/display/api';
import { describeError } from '../../core/errors';
import type { DocRoomSession } from './doc-room.session';
import { arrowPath, box, newId, normPoint, type Pt, smoothPath, TOOL_WIDTH } from './ink';
import { loadPdf, warmPdfjs } from './pdfjs-runtime';

export type Tool = AnnotationTool | 'eraser' | 'none';

interface PageBox {
  /** Document and page: a new document gets new page elements (no stale canvas). */
  key: string;
  n: number;
  /** Size in page units (PDF points, image pixels). */
  w: number;
  h: number;
}

interface Draft {
  id: string;
  page: number;
  tool: AnnotationTool;
  points: Pt[];
  /** Points not sent yet as doc/stroke. */
  unsent: number;
}

/** What the undo/redo stacks remember (undo of an add erases it; redo re-adds the same id). */
interface Step {
  kind: 'add' | 'erase';
  annotation: Annotation;
}

/** Pixels the view moves per arrow key press. */
const KEY_PAN_PX = 40;
const ARROW_STEP: Partial<Record<string, [number, number]>> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

const ZOOM_MIN = 0.25;
const ZOOM_MAX = 8;

/**
 * One document on screen: PDF pages (pdf.js canvas + text layer, HiDPI, the server's page image
 * until the first canvas is drawn) or an image; zoom, page navigation and scroll that follow the
 * presenter; annotations drawn live; form fields overlaid on the page; signatures.
 */
@Component({
  selector: 'app-doc-viewer',
  encapsulation: ViewEncapsulation.None,
  templateUrl: './doc-viewer.component.html',
  styleUrl: './doc-viewer.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocViewerComponent {
  readonly session = input.required<DocRoomSession>();
  readonly doc = input.required<DocumentView>();
  readonly role = input.required<'agent' | 'customer' | 'supervisor'>();
  readonly readOnly = input(false);
  /** Set by the signing flow: the next click on a page places the signature there. */
  readonly placing = input(false);
  readonly placed = output<{ page: number; rect: NormRect }>();
  /** A signature field was clicked by the customer. */
  readonly signField = output<string>();

  protected readonly zoom = signal(1);
  protected readonly tool = signal<Tool>('none');
  protected readonly page = signal(1);
  protected readonly width = signal(0);
  protected readonly drawn = signal<ReadonlySet<number>>(new Set());
  protected readonly draft = signal<Draft | null>(null);
  protected readonly note = signal<{ page: number; at: Pt; text: string } | null>(null);
  protected readonly error = signal('');
  protected readonly undoStack = signal<Step[]>([]);
  protected readonly redoStack = signal<Step[]>([]);
  protected readonly tools: Array<{ id: Tool; label: string; icon: string }> = [
    { id: 'pen', label: 'Pen', icon: '✎' },
    { id: 'highlighter', label: 'Highlighter', icon: '▌' },
    { id: 'rect', label: 'Rectangle', icon: '▭' },
    { id: 'ellipse', label: 'Ellipse', icon: '◯' },
    { id: 'arrow', label: 'Arrow', icon: '➚' },
    { id: 'text', label: 'Text note', icon: 'T' },
    { id: 'eraser', label: 'Eraser', icon: '⌫' },
  ];

  private readonly scroller = viewChild.required<ElementRef<HTMLElement>>('scroller');

  protected readonly party = computed(() => (this.role() === 'supervisor' ? null : (this.role() as 'agent' | 'customer')));
  /** The document's identity: a room update hands a new DocumentView object of the same document. */
  protected readonly docId = computed(() => this.doc().id);
  protected readonly pages = computed<PageBox[]>(
    () => {
      const d = this.doc();
      if (d.kind === 'image') return [{ key: `${d.id}/1`, n: 1, w: d.width ?? 1000, h: d.height ?? 1000 }];
      return (d.pageSizes ?? []).map((s, i) => ({ key: `${d.id}/${i + 1}`, n: i + 1, w: s.width, h: s.height }));
    },
    { equal: (a, b) => a.length === b.length && a.every((p, i) => p.key === b[i].key && p.w === b[i].w && p.h === b[i].h) },
  );
  /** CSS pixels of a page's width: 1 = fit the viewer's width. */
  protected readonly pageWidthPx = computed(() => Math.max(100, Math.round((this.width() - 24) * this.zoom())));
  protected readonly annotations = computed(() => this.session().annotations().get(this.doc().id) ?? []);
  protected readonly live = computed(() => [...this.session().live().values()].filter((s) => s.documentId === this.doc().id));
  protected readonly presenting = computed(() => this.session().presenting());
  protected readonly following = computed(() => this.session().following());
  protected readonly presenterName = computed(() => (this.session().room()?.presenter === 'customer' ? 'the customer' : 'the agent'));
  protected readonly canDraw = computed(() => !this.readOnly() && this.party() !== null);
  /** An image with no drawing tool picked pans when dragged. */
  protected readonly pannable = computed(() => this.doc().kind === 'image' && (!this.canDraw() || this.tool() === 'none') && !this.placing());
  protected readonly panStart = signal<{ pointerId: number; x: number; y: number; left: number; top: number } | null>(null);

  #observer: IntersectionObserver | null = null;
  #resize: ResizeObserver | null = null;
  readonly #visible = new Set<number>();
  readonly #rendered = new Map<number, { width: number; task: RenderTask | null }>();
  #renderGen = 0;
  #frame = 0;
  #lastFlush = 0;
  /** A scroll we caused (following the presenter), not the user's roaming. */
  #applying = false;
  #sendTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #host: ElementRef<HTMLElement> = inject(ElementRef);

  constructor() {
    void warmPdfjs().catch(() => undefined);
    // Measure the viewer; observe which pages are on screen (only those are drawn: cheap while hidden).
    effect((onCleanup) => {
      const el = this.scroller().nativeElement;
      this.#resize = new ResizeObserver(() => {
        if (el.clientWidth > 0) this.width.set(el.clientWidth);
      });
      this.#resize.observe(el);
      this.#observer = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            const n = Number((e.target as HTMLElement).dataset['page']);
            if (e.isIntersecting) this.#visible.add(n);
            else this.#visible.delete(n);
          }
          this.#renderVisible();
        },
        { root: el, rootMargin: '300px 0px' },
      );
      onCleanup(() => {
        this.#resize?.disconnect();
        this.#observer?.disconnect();
      });
    });
    // A new document: start from its first page, load its annotations.
    effect(() => {
      const id = this.docId();
      untracked(() => {
        this.#renderGen++;
        for (const r of this.#rendered.values()) r.task?.cancel();
        this.#rendered.clear();
        this.drawn.set(new Set());
        this.undoStack.set([]);
        this.redoStack.set([]);
        this.draft.set(null);
        this.page.set(1);
        const el = this.scroller().nativeElement;
        el.scrollTop = 0;
        el.scrollLeft = 0;
        this.session()
          .loadAnnotations(id)
          .catch((err: unknown) => this.error.set(describeError(err)));
      });
    });
    // Width or zoom changed: redraw what is visible (after the layout settled).
    effect(() => {
      this.pageWidthPx();
      this.pages();
      untracked(() => requestAnimationFrame(() => this.#observePages()));
    });
    // Follow the presenter's zoom and scroll.
    effect(() => {
      const v = this.session().presenterView();
      const following = this.following() && !this.presenting();
      if (!v || !following || v.documentId !== this.docId()) return;
      untracked(() => this.#apply(v.zoom, v.scrollX, v.scrollY));
    });
    inject(DestroyRef).onDestroy(() => {
      this.#renderGen++;
      for (const r of this.#rendered.values()) r.task?.cancel();
      cancelAnimationFrame(this.#frame);
      if (this.#sendTimer) clearTimeout(this.#sendTimer);
    });
  }

  // ───────────── navigation, zoom, presenter ─────────────

  protected zoomBy(factor: number): void {
    this.#roam();
    this.zoom.set(Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Math.round(this.zoom() * factor * 100) / 100)));
    this.#queueSend();
  }

  protected fit(): void {
    this.#roam();
    this.zoom.set(1);
    this.#queueSend();
  }

  protected goTo(n: number): void {
    this.#roam();
    const target = Math.min(this.pages().length, Math.max(1, n));
    const el = this.#pageEl(target);
    const scroller = this.scroller().nativeElement;
    if (el) scroller.scrollTop = el.offsetTop - 8;
    this.page.set(target);
    this.#queueSend();
  }

  protected onScroll(): void {
    const scroller = this.scroller().nativeElement;
    // The page in the middle of the viewer is the current one.
    const mid = scroller.scrollTop + scroller.clientHeight / 3;
    let current = 1;
    for (const p of this.pages()) {
      const el = this.#pageEl(p.n);
      if (el && el.offsetTop <= mid) current = p.n;
    }
    if (current !== this.page()) this.page.set(current);
    if (this.#applying) return;
    this.#queueSend();
  }

  /** The user moved the view by hand: a follower roams. */
  protected userMoved(): void {
    this.#roam();
  }

  /**
   * Scrolling keys roam too, but not typing into a form field or a note. The arrows move the view by
   * a fixed step at once (no smooth scroll), so a zoomed image pans the same on every browser.
   */
  protected keyMoved(e: KeyboardEvent): void {
    const t = e.target as HTMLElement;
    if (t.closest('input, textarea, select, button, [contenteditable="true"]')) return;
    if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End', ' '].includes(e.key)) return;
    this.#roam();
    const step = ARROW_STEP[e.key];
    if (!step || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const s = this.scroller().nativeElement;
    s.scrollBy({ left: step[0] * KEY_PAN_PX, top: step[1] * KEY_PAN_PX, behavior: 'instant' });
  }

  // ───────────── pan (images, no tool picked) ─────────────

  /** Dragging an image with the pointer moves the view, as a hand tool would. */
  protected panDown(e: PointerEvent): void {
    if (!this.pannable() || e.button !== 0 || (e.target as HTMLElement).closest('input, textarea, select, button')) return;
    const s = this.scroller().nativeElement;
    e.preventDefault();
    s.focus({ preventScroll: true });
    try {
      s.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic event's pointer cannot be captured; the drag still pans inside the viewer.
    }
    this.panStart.set({ pointerId: e.pointerId, x: e.clientX, y: e.clientY, left: s.scrollLeft, top: s.scrollTop });
  }

  protected panMove(e: PointerEvent): void {
    const p = this.panStart();
    if (!p || p.pointerId !== e.pointerId) return;
    const dx = e.clientX - p.x;
    const dy = e.clientY - p.y;
    if (dx === 0 && dy === 0) return;
    this.#roam();
    const s = this.scroller().nativeElement;
    s.scrollLeft = p.left - dx;
    s.scrollTop = p.top - dy;
  }

  protected panUp(e: PointerEvent): void {
    if (this.panStart()?.pointerId === e.pointerId) this.panStart.set(null);
  }

  protected jumpBack(): void {
    this.session().following.set(true);
    const v = this.session().presenterView();
    if (v && v.documentId === this.doc().id) this.#apply(v.zoom, v.scrollX, v.scrollY);
  }

  protected async present(): Promise<void> {
    try {
      await this.session().present();
      this.#sendNow();
    } catch (err) {
      this.error.set(describeError(err));
    }
  }

  #roam(): void {
    if (!this.presenting() && this.following()) this.session().following.set(false);
  }

  #queueSend(): void {
    if (!this.presenting() || this.#sendTimer) return;
    this.#sendTimer = setTimeout(() => {
      this.#sendTimer = null;
      this.#sendNow();
    }, 50);
  }

  #sendNow(): void {
    if (!this.presenting()) return;
    const s = this.scroller().nativeElement;
    const rangeX = s.scrollWidth - s.clientWidth;
    const rangeY = s.scrollHeight - s.clientHeight;
    this.session().sendView({
      documentId: this.doc().id,
      page: this.page(),
      zoom: this.zoom(),
      scrollX: rangeX > 0 ? Math.min(1, s.scrollLeft / rangeX) : 0,
      scrollY: rangeY > 0 ? Math.min(1, s.scrollTop / rangeY) : 0,
    });
  }

  #apply(zoom: number, scrollX: number, scrollY: number): void {
    this.#applying = true;
    this.zoom.set(zoom);
    // After the new zoom is laid out, scroll to the same fractions.
    requestAnimationFrame(() => {
      const s = this.scroller().nativeElement;
      s.scrollLeft = scrollX * (s.scrollWidth - s.clientWidth);
      s.scrollTop = scrollY * (s.scrollHeight - s.clientHeight);
      requestAnimationFrame(() => (this.#applying = false));
    });
  }

  // ───────────── rendering ─────────────

  #pageEl(n: number): HTMLElement | null {
    return this.#host.nativeElement.querySelector<HTMLElement>(`[data-page="${n}"]`);
  }

  #observePages(): void {
    const obs = this.#observer;
    if (!obs) return;
    obs.disconnect();
    this.#visible.clear();
    for (const el of this.#host.nativeElement.querySelectorAll<HTMLElement>('.doc-page[data-page]')) obs.observe(el);
    this.#renderVisible();
  }

  #renderVisible(): void {
    const d = this.doc();
    if (d.kind !== 'pdf' || !d.urls.pdf) return;
    const width = this.pageWidthPx();
    for (const n of this.#visible) {
      const r = this.#rendered.get(n);
      if (r && r.width === width) continue;
      r?.task?.cancel();
      void this.#renderPage(d, n, width);
    }
  }

  async #renderPage(d: DocumentView, n: number, width: number): Promise<void> {
    const gen = this.#renderGen;
    const slot = { width, task: null as RenderTask | null };
    this.#rendered.set(n, slot);
    try {
      const pdf = await loadPdf(d.id, d.urls.pdf as string);
      const page: PDFPageProxy = await pdf.getPage(n);
      if (gen !== this.#renderGen || this.#rendered.get(n) !== slot) return;
      const el = this.#pageEl(n);
      if (!el) return;
      const base = page.getViewport({ scale: 1 });
      const scale = width / base.width;
      const viewport = page.getViewport({ scale });
      const dpr = Math.min(3, window.devicePixelRatio || 1);
      const canvas = document.createElement('canvas');
      canvas.className = 'doc-canvas';
      canvas.width = Math.floor(viewport.width * dpr);
      canvas.height = Math.floor(viewport.height * dpr);
      slot.task = page.render({ canvas, viewport, transform: dpr !== 1 ? [dpr, 0, 0, dpr, 0, 0] : undefined });
      await slot.task.promise;
      if (gen !== this.#renderGen || this.#rendered.get(n) !== slot) return;
      el.querySelector('canvas.doc-canvas')?.remove();
      el.prepend(canvas);
      el.dataset['rendered'] = String(width);
      this.drawn.update((s) => (s.has(n) ? s : new Set(s).add(n)));
      // The text layer (selectable, searchable text) over the canvas.
      const { pdfjs } = await warmPdfjs();
      const layer = el.querySelector<HTMLElement>('.textLayer');
      if (!layer || gen !== this.#renderGen || this.#rendered.get(n) !== slot) return;
      layer.replaceChildren();
      el.style.setProperty('--total-scale-factor', String(scale));
      el.style.setProperty('--scale-factor', String(scale));
      await new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport }).render();
      el.dataset['text'] = String(width);
    } catch (err) {
      if ((err as { name?: string })?.name === 'RenderingCancelledException') return;
      if (this.#rendered.get(n) === slot) this.#rendered.delete(n);
      this.error.set(describeError(err));
    }
  }

  // ───────────── annotations ─────────────

  protected pick(t: Tool): void {
    this.tool.set(this.tool() === t ? 'none' : t);
    this.note.set(null);
  }

  protected path(a: { tool: AnnotationTool; points: Array<[number, number]>; width: number }, p: PageBox): string {
    if (a.tool === 'arrow') return arrowPath(a.points, p.w, p.h, a.width * p.w);
    return smoothPath(a.points, p.w, p.h);
  }

  protected box(a: { points: Array<[number, number]> }, p: PageBox): { x: number; y: number; w: number; h: number } {
    return box(a.points, p.w, p.h);
  }

  protected onPageDown(e: PointerEvent, p: PageBox): void {
    const surface = e.currentTarget as Element;
    if (this.placing()) {
      const [x, y] = normPoint(e, surface);
      const w = 0.3;
      const h = Math.min(0.2, (w * p.w) / 3 / p.h);
      this.placed.emit({ page: p.n, rect: { x: Math.min(1 - w, Math.max(0, x - w / 2)), y: Math.min(1 - h, Math.max(0, y - h / 2)), w, h } });
      return;
    }
    const tool = this.tool();
    if (!this.canDraw() || tool === 'none' || tool === 'eraser') return;
    e.preventDefault();
    const pt = normPoint(e, surface);
    if (tool === 'text') {
      this.note.set({ page: p.n, at: pt, text: '' });
      return;
    }
    try {
      surface.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic event's pointer cannot be captured; drawing still works inside the page.
    }
    this.draft.set({ id: newId(), page: p.n, tool, points: [pt], unsent: 1 });
  }

  protected onPageMove(e: PointerEvent): void {
    const d = this.draft();
    if (!d) return;
    const surface = e.currentTarget as Element;
    const events = e.getCoalescedEvents?.() ?? [e];
    const pts = (events.length ? events : [e]).map((ev) => normPoint(ev, surface));
    if (d.tool === 'pen' || d.tool === 'highlighter') {
      if (d.points.length + pts.length > DOC_LIMITS.annotationMaxPoints) return;
      d.points.push(...pts);
      d.unsent += pts.length;
    } else {
      d.points = [d.points[0], pts[pts.length - 1]];
    }
    // At most one update (and one doc/stroke chunk) per animation frame; the first one at once.
    if (this.#frame) return;
    if (performance.now() - this.#lastFlush >= 16) this.#flush(false);
    else this.#frame = requestAnimationFrame(() => this.#flush(false));
  }

  protected onPageUp(): void {
    const d = this.draft();
    if (!d) return;
    cancelAnimationFrame(this.#frame);
    this.#flush(true);
    this.draft.set(null);
    const points = d.tool === 'pen' || d.tool === 'highlighter' ? d.points : [d.points[0], d.points[d.points.length - 1]];
    void this.#add({ id: d.id, documentId: this.doc().id, page: d.page, tool: d.tool, points, width: TOOL_WIDTH[d.tool], text: null });
  }

  protected commitNote(): void {
    const n = this.note();
    if (!n || !n.text.trim()) return this.note.set(null);
    this.note.set(null);
    void this.#add({ id: newId(), documentId: this.doc().id, page: n.page, tool: 'text', points: [n.at], width: TOOL_WIDTH.text, text: n.text.trim().slice(0, DOC_LIMITS.noteMaxChars) });
  }

  protected noteInput(e: Event): void {
    const v = (e.target as HTMLInputElement).value;
    this.note.update((n) => (n ? { ...n, text: v } : n));
  }

  protected onAnnotationDown(e: PointerEvent, a: Annotation): void {
    if (this.tool() !== 'eraser' || !this.canDraw()) return;
    e.stopPropagation();
    void this.#run(async () => {
      await this.session().erase(a.documentId, a.id);
      this.undoStack.update((s) => [...s, { kind: 'erase', annotation: a }]);
      this.redoStack.set([]);
    });
  }

  protected undo(): void {
    const step = this.undoStack().at(-1);
    if (!step) return;
    void this.#run(async () => {
      await this.#revert(step, false);
      this.undoStack.update((s) => s.slice(0, -1));
      this.redoStack.update((s) => [...s, step]);
    });
  }

  protected redo(): void {
    const step = this.redoStack().at(-1);
    if (!step) return;
    void this.#run(async () => {
      await this.#revert(step, true);
      this.redoStack.update((s) => s.slice(0, -1));
      this.undoStack.update((s) => [...s, step]);
    });
  }

  async #revert(step: Step, redo: boolean): Promise<void> {
    const a = step.annotation;
    const reAdd = step.kind === 'add' ? redo : !redo;
    if (reAdd) await this.session().annotate({ id: a.id, documentId: a.documentId, page: a.page, tool: a.tool, points: a.points, width: a.width, text: a.text });
    else await this.session().erase(a.documentId, a.id);
  }

  async #add(a: Parameters<DocRoomSession['annotate']>[0]): Promise<void> {
    await this.#run(async () => {
      const annotation = await this.session().annotate(a);
      this.undoStack.update((s) => [...s, { kind: 'add', annotation }]);
      this.redoStack.set([]);
    });
  }

  #flush(done: boolean): void {
    this.#frame = 0;
    this.#lastFlush = performance.now();
    const d = this.draft();
    if (!d) return;
    this.draft.set({ ...d, points: d.points });
    if ((d.tool === 'pen' || d.tool === 'highlighter') && (d.unsent > 0 || done)) {
      const fresh = d.points.slice(d.points.length - d.unsent);
      d.unsent = 0;
      for (let i = 0; i < fresh.length || (done && i === 0); i += DOC_LIMITS.strokeChunkMaxPoints) {
        const chunk = fresh.slice(i, i + DOC_LIMITS.strokeChunkMaxPoints);
        this.session().stroke({ documentId: this.doc().id, id: d.id, page: d.page, tool: d.tool, points: chunk, width: TOOL_WIDTH[d.tool], done: done && i + DOC_LIMITS.strokeChunkMaxPoints >= fresh.length });
      }
    }
  }

  async #run(fn: () => Promise<void>): Promise<void> {
    this.error.set('');
    try {
      await fn();
    } catch (err) {
      this.error.set(describeError(err));
    }
  }

  // ───────────── form fields and signatures ─────────────

  protected fieldsOn(n: number): FormFieldView[] {
    return this.doc().fields.filter((f) => f.page === n);
  }

  protected signaturesOn(n: number) {
    return this.doc().signatures.filter((s) => s.page === n);
  }

  protected hidden(f: FormFieldView): boolean {
    return f.customerOnly && this.role() !== 'customer';
  }

  protected fieldDisabled(f: FormFieldView): boolean {
    return this.readOnly() || this.party() === null || (f.customerOnly && this.role() !== 'customer');
  }

  protected signatureFor(f: FormFieldView) {
    return this.doc().signatures.find((s) => s.field === f.name) ?? null;
  }

  protected text(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  protected selected(e: Event, f: FormFieldView): FieldValue {
    const el = e.target as HTMLSelectElement;
    return f.multiSelect ? [...el.selectedOptions].map((o) => o.value) : el.value;
  }

  protected setField(f: FormFieldView, value: FieldValue): void {
    void this.#run(() => this.session().setField(this.doc().id, f.name, value));
  }

  protected pct(n: number): string {
    return `${n * 100}%`;
  }

  /** Positions an overlay (field, signature, option) on its normalized rectangle of the page. */
  protected placeAt(r: NormRect): Record<'left' | 'top' | 'width' | 'height', string> {
    return { left: this.pct(r.x), top: this.pct(r.y), width: this.pct(r.w), height: this.pct(r.h) };
  }

  protected asString(v: FieldValue | null): string {
    return typeof v === 'string' ? v : '';
  }

  protected isOn(v: FieldValue | null): boolean {
    return v === true || v === 'true' || v === 'Yes' || v === 'On';
  }

  protected inList(v: FieldValue | null, option: string): boolean {
    return Array.isArray(v) ? v.includes(option) : v === option;
  }
}
