import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, type ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import type { CallSession } from '@engage/media-client';
import { MEDIA_EV, type CallView, type MediaKind } from '@engage/protocol';
import { describeError, runAction } from '../../core/errors';

declare global {
  interface Window {
    /** The running call of this page, for end-to-end tests and debugging. */
    __engageCall?: CallSession | null;
  }
}

/**
 * The call of one engagement: the agent offers a voice or video call, the customer accepts or
 * declines; while active both see and hear each other, with mute, camera and end. The backend
 * decides every step (media/state); this panel only asks and follows.
 */
@Component({
  selector: 'app-call-panel',
  template: `
    @let v = view();
    @let s = v?.status ?? 'off';
    @if (s !== 'off' || role() === 'agent' || v?.reason) {
      <section class="call" [class.live]="s === 'active'" aria-label="Call">
        <div class="bar">
          <p class="status" data-testid="call-status" role="status" aria-live="polite">{{ statusText() }}</p>
          <div class="actions">
            @if (s === 'off' && role() === 'agent' && engagementActive()) {
              <button type="button" class="btn small" data-testid="call-offer-audio" [disabled]="busy()" (click)="offer('audio')">Voice call</button>
              <button type="button" class="btn primary small" data-testid="call-offer-video" [disabled]="busy()" (click)="offer('video')">Video call</button>
            } @else if (s === 'offered' && role() === 'customer') {
              <button type="button" class="btn primary small" data-testid="call-accept" [disabled]="busy()" (click)="respond(true)">Accept</button>
              <button type="button" class="btn small" data-testid="call-decline" [disabled]="busy()" (click)="respond(false)">Decline</button>
            } @else if (s === 'offered') {
              <button type="button" class="btn small" data-testid="call-end" [disabled]="busy()" (click)="end()">Cancel</button>
            } @else if (s === 'active') {
              <button type="button" class="btn small" data-testid="call-mute" [attr.aria-pressed]="muted()" [disabled]="!session()" (click)="toggleMute()">
                {{ muted() ? 'Unmute' : 'Mute' }}
              </button>
              @if (v?.kind === 'video') {
                <button type="button" class="btn small" data-testid="call-camera" [attr.aria-pressed]="!cameraOn()" [disabled]="!session()" (click)="toggleCamera()">
                  {{ cameraOn() ? 'Camera off' : 'Camera on' }}
                </button>
              }
              <button type="button" class="btn danger small" data-testid="call-end" [disabled]="busy()" (click)="end()">End call</button>
            }
          </div>
        </div>
        @if (error(); as msg) {
          <p class="error" role="alert">{{ msg }}</p>
        }
        <div class="media" [hidden]="s !== 'active'">
          <video #remote class="remote" data-testid="call-remote-video" autoplay playsinline [attr.aria-label]="'Video of ' + peerName()"></video>
          <video #local class="local" data-testid="call-local-video" autoplay playsinline muted aria-label="Your camera"></video>
        </div>
      </section>
    }
  `,
  styles: `
    :host { display: block; }
    .call { border-bottom: 1px solid var(--border); background: var(--surface); }
    .bar { display: flex; align-items: center; gap: 12px; padding: 8px 16px; flex-wrap: wrap; }
    .status { flex: 1; margin: 0; font-size: 0.875rem; color: var(--muted); }
    .live .status { color: var(--text, inherit); font-weight: 600; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; }
    .error { margin: 0 16px 8px; color: var(--danger); font-size: 0.875rem; }
    /* The host page shrinks the video (--call-media-height) while a co-browse mode takes the room. */
    .media { position: relative; background: #111; height: var(--call-media-height, 240px); }
    .media[hidden] { display: none; }
    .remote { width: 100%; height: 100%; object-fit: contain; }
    .local { position: absolute; right: 8px; bottom: 8px; width: 120px; height: 90px; object-fit: cover; border: 2px solid #fff; border-radius: 6px; background: #333; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallPanelComponent {
  readonly engagementId = input.required<string>();
  readonly role = input.required<'agent' | 'customer'>();
  readonly socket = input.required<EngageSocket | null>();
  readonly engagementActive = input(false);
  /** The other side, as people call them. */
  readonly peerName = input('the other side');

  protected readonly view = signal<CallView | null>(null);
  protected readonly session = signal<CallSession | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly muted = signal(false);
  protected readonly cameraOn = signal(true);
  private readonly remoteVideo = viewChild<ElementRef<HTMLVideoElement>>('remote');
  private readonly localVideo = viewChild<ElementRef<HTMLVideoElement>>('local');
  #starting = false;

  protected readonly statusText = computed(() => {
    const v = this.view();
    const kind = v?.kind === 'audio' ? 'voice' : 'video';
    switch (v?.status ?? 'off') {
      case 'offered':
        return this.role() === 'agent' ? `Calling ${this.peerName()} (${kind})…` : `${v?.offeredBy || 'The agent'} invites you to a ${kind} call.`;
      case 'active':
        return this.session() ? `In a ${kind} call with ${this.peerName()}` : 'Connecting the call…';
      default:
        return v?.reason ?? 'No call';
    }
  });

  constructor() {
    // Follow the backend's call state of this engagement.
    effect((onCleanup) => {
      const socket = this.socket();
      const id = this.engagementId();
      untracked(() => this.view.set(null));
      if (!socket) return;
      const off = socket.on(MEDIA_EV.state, (v) => {
        if (v.engagementId === id) this.view.set(v);
      });
      onCleanup(off);
    });
    // Join the media once the call is active; leave it when it is not.
    effect(() => {
      const v = this.view();
      untracked(() => {
        if (v?.status === 'active' && v.kind) void this.#start(v.kind);
        else this.#stop();
      });
    });
    // Another engagement opened in the same pane: the old call's media goes.
    effect(() => {
      this.engagementId();
      untracked(() => this.#stop());
    });
    effect(() => {
      const s = this.session();
      const remote = this.remoteVideo()?.nativeElement;
      const local = this.localVideo()?.nativeElement;
      if (remote) remote.srcObject = s?.remoteStream ?? null;
      if (local) local.srcObject = s?.localStream ?? null;
      if (s && remote) void remote.play().catch(() => undefined);
    });
    inject(DestroyRef).onDestroy(() => this.#stop());
  }

  protected offer(kind: MediaKind): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(MEDIA_EV.offer, { engagementId: this.engagementId(), kind })));
  }

  protected respond(accept: boolean): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(MEDIA_EV.respond, { engagementId: this.engagementId(), accept })));
  }

  protected end(): Promise<void> {
    return this.#ask(async (socket) => void (await socket.request(MEDIA_EV.end, { engagementId: this.engagementId() })));
  }

  protected async toggleMute(): Promise<void> {
    const s = this.session();
    if (!s) return;
    try {
      await s.setMuted(!s.muted);
    } catch (err) {
      this.error.set(describeError(err));
    }
    this.muted.set(s.muted);
  }

  protected async toggleCamera(): Promise<void> {
    const s = this.session();
    if (!s) return;
    try {
      await s.setCamera(!s.cameraOn);
    } catch (err) {
      this.error.set(describeError(err));
    }
    this.cameraOn.set(s.cameraOn);
  }

  async #ask(fn: (socket: EngageSocket) => Promise<void>): Promise<void> {
    const socket = this.socket();
    if (!socket) return;
    await runAction({ busy: this.busy, error: this.error }, () => fn(socket));
  }

  async #start(kind: MediaKind): Promise<void> {
    const socket = this.socket();
    if (!socket || this.session() || this.#starting) return;
    this.#starting = true;
    this.error.set('');
    try {
      // Loaded with the first call only: the desk does not carry the media stack otherwise.
      const { CallSession } = await import('@engage/media-client');
      const session = await CallSession.create({ socket, engagementId: this.engagementId(), kind });
      if (this.view()?.status !== 'active') {
        session.close();
        return;
      }
      session.on('error', (err) => this.error.set(describeError(err)));
      this.session.set(session);
      this.muted.set(session.muted);
      this.cameraOn.set(session.cameraOn);
      window.__engageCall = session;
    } catch (err) {
      this.error.set(err instanceof DOMException ? `Camera or microphone unavailable: ${err.message}` : describeError(err));
    } finally {
      this.#starting = false;
    }
  }

  #stop(): void {
    const s = this.session();
    if (!s) return;
    s.close();
    this.session.set(null);
    if (window.__engageCall === s) window.__engageCall = null;
  }
}
