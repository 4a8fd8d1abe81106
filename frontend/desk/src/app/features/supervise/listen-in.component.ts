import { ChangeDetectionStrategy, Component, DestroyRef, effect, type ElementRef, inject, input, output, signal, untracked, viewChild } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import type { CallSession } from '@engage/media-client';
import { MEDIA_EV } from '@engage/protocol';
import { describeError } from '../../core/errors';

declare global {
  interface Window {
    /** The supervisor's listen-only session of this page, for end-to-end tests and debugging. */
    __engageListen?: CallSession | null;
  }
}

/**
 * A supervisor listens in on the call of a watched engagement: a receive-only session (the SFU peer
 * `supervisor-<userId>`, audio consumers only, nothing produced), played in an <audio> element. The
 * backend decides who may; the customer and the agent neither hear nor consume anything of it.
 */
@Component({
  selector: 'app-listen-in',
  template: `
    @if (callActive() || session() || error()) {
      <section class="listen" [class.on]="!!session()" aria-label="Listen in on the call">
        @if (session()) {
          <p class="status" data-testid="watch-listening" role="status" aria-live="polite">Listening — the customer and agent do not hear you</p>
          <button type="button" class="btn small" data-testid="watch-listen-stop" (click)="stop()">Stop listening</button>
        } @else if (callActive()) {
          <p class="status" role="status" aria-live="polite">{{ starting() ? 'Connecting to the call…' : 'A ' + (callKind() === 'audio' ? 'voice' : 'video') + ' call is running.' }}</p>
          <button type="button" class="btn primary small" data-testid="watch-listen" [disabled]="starting()" (click)="start()">Listen in</button>
        }
        @if (error(); as msg) {
          <p class="error" role="alert" data-testid="watch-listen-error">{{ msg }}</p>
        }
        <audio #audio data-testid="watch-listen-audio" autoplay></audio>
      </section>
    }
  `,
  styles: `
    :host { display: block; }
    .listen { display: flex; align-items: center; flex-wrap: wrap; gap: 8px 12px; padding: 8px 16px; border-bottom: 1px solid var(--border); background: var(--surface); }
    .listen.on { background: var(--surface-2); }
    .status { flex: 1; margin: 0; font-size: 0.875rem; color: var(--muted); }
    .on .status { color: var(--text, inherit); font-weight: 600; }
    .error { flex-basis: 100%; margin: 0; color: var(--danger); font-size: 0.875rem; }
    audio { display: none; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ListenInComponent {
  readonly engagementId = input.required<string>();
  readonly socket = input.required<EngageSocket>();
  /** The engagement is active with a call running (engagements.call). */
  readonly callActive = input(false);
  readonly callKind = input<'audio' | 'video' | null>(null);
  /** The listening started (the backend wrote its timeline row). */
  readonly started = output<void>();

  protected readonly session = signal<CallSession | null>(null);
  protected readonly starting = signal(false);
  protected readonly error = signal('');
  private readonly audio = viewChild<ElementRef<HTMLAudioElement>>('audio');
  /** Bumped by stop(): a start still connecting is then closed as soon as it is ready. */
  #generation = 0;
  /** The engagement the running session listens to (the input may already show another one when it stops). */
  #listeningTo: string | null = null;

  constructor() {
    // The call ended, or another engagement is shown: listening stops.
    effect(() => {
      const active = this.callActive();
      this.engagementId();
      untracked(() => {
        if (!active) this.stop();
      });
    });
    effect(() => {
      this.engagementId();
      untracked(() => {
        this.stop();
        this.error.set('');
      });
    });
    effect(() => {
      const s = this.session();
      const el = this.audio()?.nativeElement;
      if (!el) return;
      el.srcObject = s?.remoteStream ?? null;
      if (s) void el.play().catch(() => undefined);
    });
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  protected async start(): Promise<void> {
    if (this.session() || this.starting()) return;
    const generation = ++this.#generation;
    this.starting.set(true);
    this.error.set('');
    const engagementId = this.engagementId();
    try {
      // Loaded when first used: the desk does not carry the media stack otherwise.
      const { CallSession } = await import('@engage/media-client');
      const session = await CallSession.create({ socket: this.socket(), engagementId, kind: 'audio', listenOnly: true });
      if (generation !== this.#generation || !this.callActive()) {
        // Stopped while connecting: the backend already joined it, so it is told to let go too.
        session.close();
        this.leave(engagementId);
        return;
      }
      this.#listeningTo = engagementId;
      session.on('error', (err) => this.error.set(describeError(err)));
      session.on('closed', () => {
        if (this.session() !== session) return;
        this.session.set(null);
        if (window.__engageListen === session) window.__engageListen = null;
        // Closed by itself (the call ended, or its media failed): whatever is left of the peer goes too.
        this.#listeningTo = null;
        this.leave(engagementId);
      });
      this.session.set(session);
      window.__engageListen = session;
      this.started.emit();
    } catch (err) {
      // The join may have gone through before what failed: nothing of it stays on the server.
      this.leave(engagementId);
      if (generation === this.#generation) this.error.set(`Could not listen in: ${describeError(err)}`);
    } finally {
      if (generation === this.#generation) this.starting.set(false);
    }
  }

  /**
   * Closes the session and its transports, and tells the backend (media/leave): it closes the SFU
   * peer at once, and a later listen is a new timeline row.
   */
  stop(): void {
    this.#generation++;
    this.starting.set(false);
    const s = this.session();
    if (!s) return;
    this.session.set(null);
    s.close();
    if (window.__engageListen === s) window.__engageListen = null;
    if (this.#listeningTo) this.leave(this.#listeningTo);
    this.#listeningTo = null;
  }

  /** Best effort: when it does not arrive (the socket dropped), the backend closes the peer when the socket goes. */
  private leave(engagementId: string): void {
    this.socket()
      .request(MEDIA_EV.leave, { engagementId })
      .catch(() => undefined);
  }
}
