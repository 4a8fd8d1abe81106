import { computed, signal } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import {
  DOC_EV,
  type Annotation,
  type AnnotationTool,
  type DocParty,
  type DocRoomView,
  type DocViewState,
  type DocumentView,
  type FieldValue,
  type FormFieldView,
  type NormRect,
  type VideoSyncState,
} from '@engage/protocol';

/** Another participant's stroke while it is drawn (doc/stroke-drawn), until its annotation arrives. */
export interface LiveStroke {
  id: string;
  documentId: string;
  page: number;
  tool: AnnotationTool;
  points: Array<[number, number]>;
  color: string;
  width: number;
}

/** The least round trip seen so far wins: its clock offset is the most precise. */
interface ClockSample {
  offset: number;
  rtt: number;
}

/**
 * One engagement's document room as this participant sees it: the server's room, annotations per
 * document, others' live strokes and the presenter's view; every request of the doc/* domain.
 * Created per (socket, engagement); `close()` drops its listeners.
 */
export class DocRoomSession {
  readonly room = signal<DocRoomView | null>(null);
  readonly annotations = signal<ReadonlyMap<string, Annotation[]>>(new Map());
  readonly live = signal<ReadonlyMap<string, LiveStroke>>(new Map());
  /** The presenter's latest view (what followers apply). */
  readonly presenterView = signal<DocViewState | null>(null);
  readonly video = signal<VideoSyncState | null>(null);
  /** Whether this participant follows the presenter (false while roaming). */
  readonly following = signal(true);
  /** Server clock minus ours, ms. */
  readonly clockOffset = signal(0);
  readonly documents = computed(() => this.room()?.documents ?? []);
  readonly presenting = computed(() => this.party !== null && this.room()?.presenter === this.party);
  #clock: ClockSample | null = null;
  #offs: Array<() => void> = [];
  #closed = false;
  readonly #loaded = new Set<string>();
  #calcSend: { next: string | undefined; done: Promise<void> } | null = null;
  readonly #fieldSends = new Map<string, { next: FieldValue | undefined; done: Promise<void> }>();

  constructor(
    readonly socket: EngageSocket,
    readonly engagementId: string,
    /** Null for a supervisor (read-only). */
    readonly party: DocParty | null,
  ) {
    const id = engagementId;
    this.#offs.push(
      socket.on(DOC_EV.room, (r) => {
        if (r.engagementId !== id) return;
        // While this participant types into the calculator, its own input stands.
        const mine = this.#calcSend ? this.room()?.calculator : undefined;
        this.room.set(mine ? { ...r, calculator: mine } : r);
        this.presenterView.set(r.view);
        if (r.video) this.video.set(r.video);
      }),
      socket.on(DOC_EV.viewChanged, (e) => {
        if (e.engagementId === id) this.presenterView.set(e.view);
      }),
      socket.on(DOC_EV.annotationAdded, (e) => {
        if (e.engagementId !== id) return;
        this.#dropLive(e.annotation.id);
        this.#putAnnotation(e.annotation);
      }),
      socket.on(DOC_EV.annotationRemoved, (e) => {
        if (e.engagementId === id) this.#removeAnnotation(e.documentId, e.id);
      }),
      socket.on(DOC_EV.strokeDrawn, (e) => {
        if (e.engagementId !== id) return;
        this.live.update((m) => {
          const next = new Map(m);
          const prev = next.get(e.id);
          next.set(e.id, { id: e.id, documentId: e.documentId, page: e.page, tool: e.tool, color: e.color, width: e.width, points: prev ? [...prev.points, ...e.points] : e.points });
          return next;
        });
      }),
      socket.on(DOC_EV.fieldChanged, (e) => {
        if (e.engagementId === id) this.#putField(e.documentId, e.field);
      }),
      socket.on(DOC_EV.videoChanged, (e) => {
        if (e.engagementId !== id) return;
        this.video.set(e.video);
      }),
      socket.onStatus((s) => {
        if (s === 'connected') void this.open().catch(() => undefined);
      }),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The server's clock now, ms since the epoch. */
  serverNow(): number {
    return Date.now() + this.clockOffset();
  }

  async open(): Promise<void> {
    const sent = Date.now();
    const { room, serverTime } = await this.socket.request(DOC_EV.open, { engagementId: this.engagementId });
    if (this.#closed) return;
    this.#sampleClock(sent, serverTime);
    this.room.set(room);
    this.presenterView.set(room.view);
    this.video.set(room.video);
    // A reconnect: annotations may have changed meanwhile.
    const loaded = [...this.#loaded];
    this.#loaded.clear();
    for (const d of loaded) void this.loadAnnotations(d).catch(() => undefined);
  }

  async loadAnnotations(documentId: string): Promise<void> {
    if (this.#loaded.has(documentId)) return;
    this.#loaded.add(documentId);
    try {
      const { annotations } = await this.socket.request(DOC_EV.annotations, { engagementId: this.engagementId, documentId });
      this.annotations.update((m) => new Map(m).set(documentId, annotations));
    } catch (err) {
      this.#loaded.delete(documentId);
      throw err;
    }
  }

  /** A document uploaded by this participant, before the room broadcast arrives. */
  mergeDocument(doc: DocumentView): void {
    this.room.update((r) => (r && !r.documents.some((d) => d.id === doc.id) ? { ...r, documents: [...r.documents, doc] } : r));
  }

  async annotate(a: Pick<Annotation, 'id' | 'documentId' | 'page' | 'tool' | 'points' | 'width' | 'text'>): Promise<Annotation> {
    const { annotation } = await this.socket.request(DOC_EV.annotate, { engagementId: this.engagementId, annotation: a });
    this.#dropLive(annotation.id);
    this.#putAnnotation(annotation);
    return annotation;
  }

  async erase(documentId: string, id: string): Promise<void> {
    await this.socket.request(DOC_EV.erase, { engagementId: this.engagementId, documentId, id });
    this.#removeAnnotation(documentId, id);
  }

  /** A chunk of the stroke being drawn; not awaited by the drawer (live, lossy is fine). */
  stroke(chunk: { documentId: string; id: string; page: number; tool: 'pen' | 'highlighter'; points: Array<[number, number]>; width: number; done: boolean }): void {
    void this.socket.request(DOC_EV.stroke, { engagementId: this.engagementId, ...chunk }).catch(() => undefined);
  }

  sendView(view: DocViewState): void {
    void this.socket.request(DOC_EV.view, { engagementId: this.engagementId, view }).catch(() => undefined);
  }

  async present(): Promise<void> {
    const { room } = await this.socket.request(DOC_EV.present, { engagementId: this.engagementId });
    this.room.set(room);
  }

  /**
   * Sets a field. Applied locally at once and the answer not applied over it: while a person types,
   * the answer to an earlier keystroke would put an older value back into the input.
   */
  async setField(documentId: string, name: string, value: FieldValue): Promise<void> {
    const filled = Array.isArray(value) ? value.length > 0 : value !== '' && value !== false;
    this.#patchDocument(documentId, (d) => ({ ...d, fields: d.fields.map((f) => (f.name === name ? { ...f, value, filled, by: this.party } : f)) }));
    // One request per field at a time, the latest value last: the server could finish concurrent
    // writes of "Ad" and "Ada" in either order, and the other side would keep the older one.
    const key = `${documentId}/${name}`;
    const queued = this.#fieldSends.get(key);
    if (queued) {
      queued.next = value;
      return queued.done;
    }
    const entry: { next: FieldValue | undefined; done: Promise<void> } = { next: value, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.next !== undefined) {
          const v = entry.next;
          entry.next = undefined;
          await this.socket.request(DOC_EV.field, { engagementId: this.engagementId, documentId, name, value: v });
        }
      } finally {
        this.#fieldSends.delete(key);
      }
    })();
    this.#fieldSends.set(key, entry);
    return entry.done;
  }

  async setFieldPolicy(documentId: string, name: string, policy: { customerOnly?: boolean; required?: boolean }): Promise<void> {
    const { field } = await this.socket.request(DOC_EV.fieldPolicy, { engagementId: this.engagementId, documentId, name, ...policy });
    this.#putField(documentId, field);
  }

  async sign(documentId: string, image: string, place: { field: string } | { page: number; rect: NormRect }): Promise<void> {
    const payload = 'field' in place ? { field: place.field } : { field: null, page: place.page, rect: place.rect };
    const { signature } = await this.socket.request(DOC_EV.sign, { engagementId: this.engagementId, documentId, image, ...payload });
    this.#patchDocument(documentId, (d) => ({ ...d, signatures: [...d.signatures.filter((s) => s.id !== signature.id), signature] }));
  }

  async exportDocument(documentId: string, complete: boolean): Promise<DocumentView> {
    const { document } = await this.socket.request(DOC_EV.export, { engagementId: this.engagementId, documentId, complete }, 60_000);
    this.mergeDocument(document);
    return document;
  }

  async sendVideo(documentId: string, action: 'play' | 'pause' | 'seek' | 'rate', position: number, rate: number): Promise<void> {
    const sent = Date.now();
    const { video, serverTime } = await this.socket.request(DOC_EV.video, { engagementId: this.engagementId, documentId, action, position: Math.max(0, position), rate });
    this.#sampleClock(sent, serverTime);
    this.video.set(video);
  }

  /** Types into the calculator: shown at once; one request at a time, the latest input last (as fields). */
  async calc(input: string): Promise<void> {
    this.room.update((r) => (r ? { ...r, calculator: { ...r.calculator, input, by: this.party } } : r));
    if (this.#calcSend) {
      this.#calcSend.next = input;
      return this.#calcSend.done;
    }
    const entry: { next: string | undefined; done: Promise<void> } = { next: input, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.next !== undefined) {
          const v: string = entry.next;
          entry.next = undefined;
          const { calculator } = await this.socket.request(DOC_EV.calc, { engagementId: this.engagementId, input: v });
          // Only the answer to the latest input is shown (an older one would undo typing).
          if ((entry.next as string | undefined) === undefined) this.room.update((r) => (r ? { ...r, calculator } : r));
        }
      } finally {
        this.#calcSend = null;
      }
    })();
    this.#calcSend = entry;
    return entry.done;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs) off();
    this.#offs = [];
  }

  #sampleClock(sent: number, serverTime: number): void {
    const received = Date.now();
    const rtt = received - sent;
    if (this.#clock && this.#clock.rtt < rtt) return;
    this.#clock = { rtt, offset: serverTime - (sent + received) / 2 };
    this.clockOffset.set(this.#clock.offset);
  }

  #putAnnotation(a: Annotation): void {
    this.annotations.update((m) => {
      const list = (m.get(a.documentId) ?? []).filter((x) => x.id !== a.id);
      return new Map(m).set(a.documentId, [...list, a]);
    });
  }

  #removeAnnotation(documentId: string, id: string): void {
    this.#dropLive(id);
    this.annotations.update((m) => {
      const list = m.get(documentId);
      return list?.some((x) => x.id === id) ? new Map(m).set(documentId, list.filter((x) => x.id !== id)) : m;
    });
  }

  #dropLive(id: string): void {
    if (!this.live().has(id)) return;
    this.live.update((m) => {
      const next = new Map(m);
      next.delete(id);
      return next;
    });
  }

  #putField(documentId: string, field: FormFieldView): void {
    this.#patchDocument(documentId, (d) => ({ ...d, fields: d.fields.map((f) => (f.name === field.name ? field : f)) }));
  }

  #patchDocument(documentId: string, fn: (d: DocumentView) => DocumentView): void {
    this.room.update((r) => (r ? { ...r, documents: r.documents.map((d) => (d.id === documentId ? fn(d) : d)) } : r));
  }
}
