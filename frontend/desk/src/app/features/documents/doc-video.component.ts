import { ChangeDetectionStrategy, Component, DestroyRef, effect, type ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import type { DocumentView, VideoSyncState } from '@engage/protocol';
import { describeError } from '../../core/errors';
import type { DocRoomSession } from './doc-room.session';
import { correction, expectedPosition } from './video-sync';

/**
 * A video watched together: play, pause, seek and rate from either side reach the other
 * (doc/video); each side keeps within DOC_LIMITS.videoDriftMs of the shared state using the
 * server's clock. Events this component caused itself (applying the other side's state, rate
 * nudges) are not sent back.
 */
@Component({
  selector: 'app-doc-video',
  template: `
    <div class="wrap">
      <video
        #video
        data-testid="doc-video"
        [src]="doc().urls.media"
        controls
        playsinline
        preload="auto"
        [attr.aria-label]="doc().name"
        [class.locked]="readOnly()"
        (play)="local('play')"
        (pause)="local('pause')"
        (seeked)="local('seek')"
        (ratechange)="local('rate')"
      ></video>
      <p class="state" data-testid="doc-video-state" role="status" aria-live="polite">{{ stateText() }}</p>
      @if (error(); as msg) {
        <p class="error" role="alert">{{ msg }}</p>
      }
    </div>
  `,
  styles: `
    .wrap { display: flex; flex-direction: column; gap: 6px; }
    video { width: 100%; max-height: 60vh; background: #000; border-radius: 8px; }
    video.locked { pointer-events: none; }
    .state { margin: 0; font-size: 0.85rem; color: var(--muted); }
    .error { margin: 0; color: var(--danger); font-size: 0.875rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocVideoComponent {
  readonly session = input.required<DocRoomSession>();
  readonly doc = input.required<DocumentView>();
  readonly readOnly = input(false);
  protected readonly error = signal('');
  protected readonly stateText = signal('');
  private readonly video = viewChild.required<ElementRef<HTMLVideoElement>>('video');
  /** The shared rate (the element's rate may be nudged away from it). */
  #rate = 1;
  #nudged = false;
  #timer: ReturnType<typeof setInterval>;

  constructor() {
    effect(() => {
      const v = this.session().video();
      if (!v || v.documentId !== this.doc().id) return;
      untracked(() => this.#applyRemote(v));
    });
    this.#timer = setInterval(() => this.#correct(), 250);
    inject(DestroyRef).onDestroy(() => clearInterval(this.#timer));
  }

  /** The element reported a change: send it unless it matches the shared state (we caused it). */
  protected local(kind: 'play' | 'pause' | 'seek' | 'rate'): void {
    const el = this.video().nativeElement;
    const shared = this.#shared();
    if (this.readOnly()) return;
    if (kind === 'play' && shared?.playing) return;
    if (kind === 'pause' && shared && !shared.playing) return;
    if (kind === 'seek' && shared && Math.abs(el.currentTime - expectedPosition(shared, this.session().serverNow())) < 0.5) return;
    if (kind === 'rate' && (this.#nudged || Math.abs(el.playbackRate - this.#rate) < 1e-3)) return;
    if (kind === 'rate') this.#rate = el.playbackRate;
    const rate = kind === 'rate' ? el.playbackRate : this.#rate;
    this.session()
      .sendVideo(this.doc().id, kind, el.currentTime, Math.min(4, Math.max(0.25, rate)))
      .catch((err: unknown) => this.error.set(describeError(err)));
  }

  #shared(): VideoSyncState | null {
    const v = this.session().video();
    return v && v.documentId === this.doc().id ? v : null;
  }

  #applyRemote(v: VideoSyncState): void {
    const el = this.video().nativeElement;
    this.#rate = v.rate;
    this.#nudged = false;
    if (Math.abs(el.playbackRate - v.rate) > 1e-3) el.playbackRate = v.rate;
    const expected = expectedPosition(v, this.session().serverNow());
    // Paused: exactly where the other side paused. Playing: a seek only for a clear jump; small drift is the correction loop's.
    if (Math.abs(el.currentTime - expected) > (v.playing ? 0.25 : 0.04)) el.currentTime = expected;
    if (v.playing && el.paused) el.play().catch((err: unknown) => this.error.set(err instanceof DOMException && err.name === 'NotAllowedError' ? 'Press play to join the video.' : describeError(err)));
    if (!v.playing && !el.paused) el.pause();
    this.stateText.set(`${v.playing ? 'Playing' : 'Paused'} · ${v.by === 'agent' ? 'the agent' : 'the customer'}`);
  }

  #correct(): void {
    const v = this.#shared();
    const el = this.video().nativeElement;
    if (!v || !v.playing || el.paused || el.seeking || el.readyState < 2) return;
    const drift = el.currentTime - expectedPosition(v, this.session().serverNow());
    const c = correction(drift, v.rate);
    if (c.seek) {
      el.currentTime = expectedPosition(v, this.session().serverNow());
      return;
    }
    if (Math.abs(el.playbackRate - c.rate) > 1e-3) {
      this.#nudged = c.rate !== v.rate;
      el.playbackRate = c.rate;
      // The ratechange event of our own nudge fires after this task.
      setTimeout(() => (this.#nudged = Math.abs(el.playbackRate - v.rate) > 1e-3), 0);
    }
    el.dataset['drift'] = String(Math.round(drift * 1000));
  }
}
