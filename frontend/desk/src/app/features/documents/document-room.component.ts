import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, linkedSignal, signal, untracked } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import type { DocParty, DocumentView, NormRect } from '@engage/protocol';
import { describeError } from '../../core/errors';
import { DocCalculatorComponent } from './doc-calculator.component';
import { DocRoomSession } from './doc-room.session';
import { DocUploadError, uploadDocument } from './doc-upload';
import { DocVideoComponent } from './doc-video.component';
import { DocViewerComponent } from './doc-viewer.component';
import { warmPdfjs } from './pdfjs-runtime';
import { SignaturePadComponent } from './signature-pad.component';

/**
 * The document room of an engagement: the shared list of documents (upload, conversion progress,
 * refusals), the viewer that follows the presenter, annotations, forms and signing, video in sync
 * and the calculator. Agent, customer and supervisor use the same component; `role` decides what
 * is allowed. The backend decides everything (doc/*); this component asks and follows. It stays
 * alive while another mode is shown: nothing is drawn while it is hidden, and it never takes focus.
 */
@Component({
  selector: 'app-document-room',
  imports: [DocViewerComponent, DocVideoComponent, DocCalculatorComponent, SignaturePadComponent],
  templateUrl: './document-room.component.html',
  styleUrl: './document-room.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocumentRoomComponent {
  readonly engagementId = input.required<string>();
  readonly role = input.required<'agent' | 'customer' | 'supervisor'>();
  readonly socket = input.required<EngageSocket>();
  readonly token = input.required<string>();
  readonly engagementActive = input<boolean>(true);

  protected readonly session = signal<DocRoomSession | null>(null);
  /** The document shown when roaming (following shows the presenter's). */
  protected readonly chosenId = signal<string | null>(null);
  protected readonly upload = signal<{ name: string; percent: number } | null>(null);
  protected readonly refusal = signal<{ code: string; message: string } | null>(null);
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly now = signal(Date.now());
  protected readonly showCalc = signal(false);
  /** The signing flow: drawing, then (without a signature field) placing it on the page. */
  protected readonly signing = signal<{ step: 'draw' | 'place'; field: string | null; image: string | null } | null>(null);
  /** The copy just saved or signed, for the document on screen (another document shown clears it). */
  protected readonly exported = linkedSignal<string | null, DocumentView | null>({ source: () => this.selectedId(), computation: () => null });

  protected readonly party = computed<DocParty | null>(() => (this.role() === 'supervisor' ? null : (this.role() as DocParty)));
  protected readonly readOnly = computed(() => this.party() === null || !this.engagementActive());
  protected readonly documents = computed(() => this.session()?.documents() ?? []);
  protected readonly selectedId = computed(() => {
    const s = this.session();
    if (!s) return null;
    const presented = s.presenterView()?.documentId ?? null;
    return s.following() && !s.presenting() && presented ? presented : (this.chosenId() ?? presented);
  });
  protected readonly selected = computed(() => this.documents().find((d) => d.id === this.selectedId() && d.status === 'ready') ?? null);
  protected readonly quota = computed(() => {
    const r = this.session()?.room();
    return r ? `${mb(r.usedBytes)} of ${mb(r.quotaBytes)} MB used` : '';
  });

  constructor() {
    effect((onCleanup) => {
      const socket = this.socket();
      const id = this.engagementId();
      const party = this.party();
      const session = new DocRoomSession(socket, id, party);
      // The worker starts with the room, so that the first page does not wait for it.
      void warmPdfjs().catch(() => undefined);
      untracked(() => {
        this.session.set(session);
        this.chosenId.set(null);
        this.exported.set(null);
        this.signing.set(null);
      });
      onCleanup(() => session.close());
    });
    const timer = setInterval(() => {
      if (this.documents().some((d) => d.status === 'converting')) this.now.set(Date.now());
    }, 1000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected convertingSeconds(d: DocumentView): number {
    const offset = this.session()?.clockOffset() ?? 0;
    return Math.max(0, Math.round((this.now() + offset - Date.parse(d.createdAt)) / 1000));
  }

  protected select(d: DocumentView): void {
    const s = this.session();
    if (!s) return;
    this.chosenId.set(d.id);
    this.exported.set(null);
    if (s.presenting()) s.sendView({ documentId: d.id, page: 1, zoom: 1, scrollX: 0, scrollY: 0 });
    else if (s.presenterView()?.documentId !== d.id) s.following.set(false);
  }

  protected onFile(event: Event): void {
    const el = event.target as HTMLInputElement;
    const file = el.files?.[0];
    el.value = '';
    const s = this.session();
    if (!file || !s) return;
    this.refusal.set(null);
    this.upload.set({ name: file.name, percent: 0 });
    const { done } = uploadDocument(this.engagementId(), this.token(), file, (f) => this.upload.set({ name: file.name, percent: Math.round(f * 100) }));
    done.then(
      (doc) => {
        this.upload.set(null);
        s.mergeDocument(doc);
        if (doc.status === 'ready') this.select(doc);
      },
      (err: unknown) => {
        this.upload.set(null);
        this.refusal.set(err instanceof DocUploadError ? { code: err.code, message: err.message } : { code: 'upload_failed', message: describeError(err) });
      },
    );
  }

  protected async exportCopy(d: DocumentView): Promise<void> {
    await this.#run(async (s) => this.exported.set(await s.exportDocument(d.id, false)));
  }

  protected setPolicy(d: DocumentView, name: string, policy: { customerOnly?: boolean; required?: boolean }): void {
    void this.#run((s) => s.setFieldPolicy(d.id, name, policy));
  }

  /** What the server can copy with its marks and signatures: PDFs, and PNG or JPEG images (one page each). */
  protected exportable(d: DocumentView): boolean {
    return d.kind === 'pdf' || (d.kind === 'image' && EXPORTABLE_IMAGES.has(d.sourceType));
  }

  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  // ───────────── complete & sign (customer) ─────────────

  protected startSigning(field: string | null): void {
    const d = this.selected();
    if (!d) return;
    const free = field ?? d.fields.find((f) => f.type === 'signature' && !d.signatures.some((s) => s.field === f.name))?.name ?? null;
    this.signing.set({ step: 'draw', field: free, image: null });
  }

  protected async signed(image: string): Promise<void> {
    const flow = this.signing();
    const d = this.selected();
    if (!flow || !d) return;
    if (flow.field) {
      await this.#finish(d, image, { field: flow.field });
    } else {
      this.signing.set({ step: 'place', field: null, image });
    }
  }

  protected async placed(spot: { page: number; rect: NormRect }): Promise<void> {
    const flow = this.signing();
    const d = this.selected();
    if (!flow?.image || !d) return;
    await this.#finish(d, flow.image, spot);
  }

  protected async complete(d: DocumentView): Promise<void> {
    await this.#run(async (s) => this.exported.set(await s.exportDocument(d.id, true)));
  }

  async #finish(d: DocumentView, image: string, place: { field: string } | { page: number; rect: NormRect }): Promise<void> {
    this.signing.set(null);
    await this.#run(async (s) => {
      await s.sign(d.id, image, place);
      this.exported.set(await s.exportDocument(d.id, true));
    });
  }

  async #run(fn: (s: DocRoomSession) => Promise<void>): Promise<void> {
    const s = this.session();
    if (!s) return;
    this.busy.set(true);
    this.error.set('');
    try {
      await fn(s);
    } catch (err) {
      this.error.set(describeError(err));
    } finally {
      this.busy.set(false);
    }
  }
}

const EXPORTABLE_IMAGES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg']);

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
