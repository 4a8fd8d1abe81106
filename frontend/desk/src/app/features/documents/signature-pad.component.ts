import { ChangeDetectionStrategy, Component, type ElementRef, output, signal, viewChild } from '@angular/core';
import { type Pt, smoothPath } from './ink';

/**
 * Draw a signature with mouse, finger or pen: smooth strokes on a canvas, clear and undo, handed
 * out as a PNG data URL.
 */
@Component({
  selector: 'app-signature-pad',
  template: `
    <div class="pad" role="group" aria-label="Signature pad">
      <canvas
        #canvas
        data-testid="doc-signature-pad"
        width="600"
        height="200"
        aria-label="Draw your signature here"
        (pointerdown)="down($event)"
        (pointermove)="move($event)"
        (pointerup)="up()"
        (pointercancel)="up()"
      ></canvas>
      <div class="actions">
        <button type="button" class="btn small" data-testid="doc-sign-undo" [disabled]="!strokes().length" (click)="undo()">Undo</button>
        <button type="button" class="btn small" data-testid="doc-sign-clear" [disabled]="!strokes().length" (click)="clear()">Clear</button>
        <span class="spacer"></span>
        <button type="button" class="btn small" data-testid="doc-sign-cancel" (click)="cancelled.emit()">Cancel</button>
        <button type="button" class="btn small primary" data-testid="doc-sign-apply" [disabled]="!strokes().length" (click)="apply()">Use this signature</button>
      </div>
    </div>
  `,
  styles: `
    .pad { display: flex; flex-direction: column; gap: 8px; }
    canvas { width: 100%; max-width: 600px; aspect-ratio: 3 / 1; border: 1px dashed var(--border-strong); border-radius: 8px; background: #fff; touch-action: none; cursor: crosshair; }
    .actions { display: flex; gap: 8px; }
    .spacer { flex: 1; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignaturePadComponent {
  readonly signed = output<string>();
  readonly cancelled = output<void>();
  protected readonly strokes = signal<Pt[][]>([]);
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  #current: Pt[] | null = null;

  protected down(e: PointerEvent): void {
    const c = this.canvas().nativeElement;
    c.setPointerCapture(e.pointerId);
    this.#current = [this.#point(e)];
    this.#paint();
  }

  protected move(e: PointerEvent): void {
    if (!this.#current) return;
    for (const ev of e.getCoalescedEvents?.() ?? [e]) this.#current.push(this.#point(ev));
    this.#paint();
  }

  protected up(): void {
    if (!this.#current) return;
    const s = this.#current;
    this.#current = null;
    this.strokes.update((list) => [...list, s]);
    this.#paint();
  }

  protected undo(): void {
    this.strokes.update((list) => list.slice(0, -1));
    this.#paint();
  }

  protected clear(): void {
    this.strokes.set([]);
    this.#paint();
  }

  protected apply(): void {
    this.signed.emit(this.canvas().nativeElement.toDataURL('image/png'));
  }

  #point(e: PointerEvent): Pt {
    const r = this.canvas().nativeElement.getBoundingClientRect();
    return [(e.clientX - r.left) / (r.width || 1), (e.clientY - r.top) / (r.height || 1)];
  }

  #paint(): void {
    const c = this.canvas().nativeElement;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.strokeStyle = '#10204a';
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of this.#current ? [...this.strokes(), this.#current] : this.strokes()) ctx.stroke(new Path2D(smoothPath(s, c.width, c.height)));
  }
}
