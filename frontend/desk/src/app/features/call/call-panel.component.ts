import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, type ElementRef, inject, input, signal, untracked, viewChild } from '@angular/core';
import type { EngageSocket } from '@engage/chat-client';
import type { CallConnection, CallSession } from '@engage/media-client';
import { MEDIA_EV, type CallView, type MediaKind } from '@engage/protocol';
import { describeError, runAction } from '../../core/errors';
import { CallDevicesComponent } from './call-devices.component';
import { CallQualityComponent } from './call-quality.component';

declare global {
  interface Window {
    /** The running call of this page, for end-to-end tests and debugging. */
    __engageCall?: CallSession | null;
  }
}

/**
 * The call of one engagement: the agent offers a voice or video call, the customer accepts or
 * declines; while active both see and hear each other, with mute, camera, screen sharing, a choice
 * of devices, the connection's quality and who speaks; the session heals lost connections itself
 * ("Reconnecting…" meanwhile). The backend decides every step (media/state); this panel only asks
 * and follows.
 */
@Component({
  selector: 'app-call-panel',
  imports: [CallDevicesComponent, CallQualityComponent],
  template: `
    @let v = view();
    @let s = v?.status ?? 'off';
    @let live = session();
    @if (s !== 'off' || role() === 'agent' || v?.reason) {
      <section class="call" [class.live]="s === 'active'" aria-label="Call">
        <div class="bar">
          <p class="status" data-testid="call-status" role="status" aria-live="polite">{{ statusText() }}</p>
          @if (s === 'active' && live) {
            <app-call-quality [session]="live" />
          }
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
              <button type="button" class="btn small" data-testid="call-mute" [attr.aria-pressed]="muted()" [disabled]="!live" (click)="toggleMute()">
                {{ muted() ? 'Unmute' : 'Mute' }}
              </button>
              @if (v?.kind === 'video') {
                <button type="button" class="btn small" data-testid="call-camera" [attr.aria-pressed]="!cameraOn()" [disabled]="!live" (click)="toggleCamera()">
                  {{ cameraOn() ? 'Camera off' : 'Camera on' }}
                </button>
              }
              @if (canShareScreen) {
                <button type="button" class="btn small" data-testid="call-share" [attr.aria-pressed]="sharing()" [disabled]="!live || sharingBusy()" (click)="toggleShare()">
                  {{ sharing() ? 'Stop sharing' : 'Share screen' }}
                </button>
              }
              <button
                type="button"
                class="btn small"
                data-testid="call-devices"
                [attr.aria-expanded]="devicesOpen()"
                [attr.aria-controls]="'call-devices-' + engagementId()"
                [disabled]="!live"
                (click)="devicesOpen.set(!devicesOpen())"
              >
                Devices
              </button>
              <button type="button" class="btn danger small" data-testid="call-end" [disabled]="busy()" (click)="end()">End call</button>
            }
          </div>
        </div>
        @if (s === 'active' && live && devicesOpen()) {
          <app-call-devices [id]="'call-devices-' + engagementId()" [session]="live" (failed)="error.set($event)" />
        }
        @if (error(); as msg) {
          <p class="error" role="alert">{{ msg }}</p>
        }
        @let who = speaking();
        <div class="media" [class.voice]="v?.kind === 'audio'" [class.sharing]="!!remoteScreen()" [hidden]="s !== 'active'">
          @if (remoteScreen()) {
            <video #screen class="screen" data-testid="call-remote-screen" autoplay playsinline muted [attr.aria-label]="'Screen shared by ' + peerName()"></video>
          }
          <div class="tile remote" data-testid="call-remote-tile" role="group" [class.speaking]="who === 'remote'" [attr.aria-label]="peerName() + (who === 'remote' ? ', speaking' : '')">
            <video #remote data-testid="call-remote-video" autoplay playsinline [attr.aria-label]="'Video of ' + peerName()"></video>
            <span class="name" aria-hidden="true">{{ peerName() }}</span>
          </div>
          <div class="tile local" data-testid="call-local-tile" role="group" [class.speaking]="who === 'local'" [attr.aria-label]="'You' + (who === 'local' ? ', speaking' : '')">
            <video #local data-testid="call-local-video" autoplay playsinline muted aria-label="Your camera"></video>
            <span class="name" aria-hidden="true">You</span>
          </div>
        </div>
      </section>
    }
  `,
  styles: `
    :host { display: block; }
    .call { border-bottom: 1px solid var(--border); background: var(--surface); }
    .bar { display: flex; align-items: center; gap: 8px 12px; padding: 8px 16px; flex-wrap: wrap; }
    .status { flex: 1; margin: 0; font-size: 0.875rem; color: var(--muted); min-width: 12ch; }
    .live .status { color: var(--text, inherit); font-weight: 600; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; }
    .error { margin: 0 16px 8px; color: var(--danger); font-size: 0.875rem; }
    /* Video call: the other side fills the box, this side small in a corner. The host page shrinks
       the box (--call-media-height) while a co-browse mode takes the room. */
    .media { position: relative; background: #111; height: var(--call-media-height, 240px); }
    .media[hidden] { display: none; }
    video { display: block; width: 100%; height: 100%; }
    .tile { position: absolute; overflow: hidden; }
    .tile.remote { inset: 0; }
    .tile.remote video { object-fit: contain; }
    .tile.local, .sharing .tile.remote { inset: auto 8px 8px auto; width: 120px; height: 90px; border: 2px solid #fff; border-radius: 6px; background: #333; z-index: 1; }
    .tile.local video, .sharing .tile.remote video { object-fit: cover; }
    /* A shared screen takes the box; the other side's camera goes small to the left corner. */
    .sharing .tile.remote { inset: auto auto 8px 8px; }
    .screen { position: absolute; inset: 0; object-fit: contain; }
    .name { position: absolute; left: 4px; bottom: 4px; max-width: calc(100% - 8px); padding: 0 4px; border-radius: 3px; background: rgb(0 0 0 / 60%); color: #fff; font-size: 0.75rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .tile.remote .name { left: 8px; bottom: 8px; }
    .sharing .tile.remote .name { left: 4px; bottom: 4px; }
    .tile.speaking { outline: 3px solid #3ddc84; outline-offset: -3px; }
    /* Voice call: two name chips (the audio plays from the hidden video element); a shared screen above them. */
    .voice { display: flex; flex-wrap: wrap; gap: 8px; height: auto; padding: 8px 16px; background: var(--surface-2); }
    .voice video { display: none; }
    .voice .screen { display: block; position: static; flex-basis: 100%; height: var(--call-media-height, 240px); background: #111; order: -1; }
    .voice .tile, .voice.sharing .tile.remote { position: static; width: auto; height: auto; padding: 4px 12px; border: 1px solid var(--border); border-radius: 999px; background: var(--surface); z-index: auto; }
    .voice .name { position: static; padding: 0; background: none; color: var(--text); font-size: 0.875rem; font-weight: 600; }
    .voice .tile.speaking { outline-offset: 0; }
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
  protected readonly connection = signal<CallConnection>('connecting');
  protected readonly sharing = signal(false);
  protected readonly sharingBusy = signal(false);
  protected readonly remoteScreen = signal<MediaStream | null>(null);
  protected readonly devicesOpen = signal(false);
  /** The dominant speaker's SFU peer id. */
  private readonly speaker = signal<string | null>(null);
  /** Bumped when the session's streams change their tracks: the video elements take them afresh. */
  private readonly tracksChanged = signal(0);
  /** Phones and some browsers cannot capture a screen. */
  protected readonly canShareScreen = typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  private readonly remoteVideo = viewChild<ElementRef<HTMLVideoElement>>('remote');
  private readonly localVideo = viewChild<ElementRef<HTMLVideoElement>>('local');
  private readonly screenVideo = viewChild<ElementRef<HTMLVideoElement>>('screen');
  #starting = false;
  #offs: Array<() => void> = [];

  /** Whose tile speaks: this side's, the other side's, or nobody's. */
  protected readonly speaking = computed<'local' | 'remote' | null>(() => {
    const peer = this.speaker();
    const s = this.session();
    if (!peer || !s) return null;
    return peer === s.peerId ? 'local' : 'remote';
  });

  protected readonly statusText = computed(() => {
    const v = this.view();
    const kind = v?.kind === 'audio' ? 'voice' : 'video';
    switch (v?.status ?? 'off') {
      case 'offered':
        return this.role() === 'agent' ? `Calling ${this.peerName()} (${kind})…` : `${v?.offeredBy || 'The agent'} invites you to a ${kind} call.`;
      case 'active':
        if (!this.session()) return 'Connecting the call…';
        switch (this.connection()) {
          case 'connecting':
            return 'Connecting the call…';
          case 'reconnecting':
            return 'Reconnecting…';
          case 'failed':
            return 'The call lost its connection. End it and call again.';
          default:
            return `In a ${kind} call with ${this.peerName()}`;
        }
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
      this.tracksChanged();
      const remote = this.remoteVideo()?.nativeElement;
      const local = this.localVideo()?.nativeElement;
      if (remote) remote.srcObject = s?.remoteStream ?? null;
      if (local) local.srcObject = s?.localStream ?? null;
      if (s && remote) void remote.play().catch(() => undefined);
    });
    effect(() => {
      const screen = this.screenVideo()?.nativeElement;
      const stream = this.remoteScreen();
      if (!screen) return;
      screen.srcObject = stream;
      if (stream) void screen.play().catch(() => undefined);
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

  protected async toggleShare(): Promise<void> {
    const s = this.session();
    if (!s) return;
    this.sharingBusy.set(true);
    this.error.set('');
    try {
      if (s.screenSharing) await s.stopScreenShare();
      else await s.startScreenShare();
    } catch (err) {
      // Cancelled in the browser's picker: the person chose not to; nothing to say.
      if (!(err instanceof DOMException && err.name === 'NotAllowedError')) {
        this.error.set(err instanceof DOMException ? `The screen could not be shared: ${err.message}` : describeError(err));
      }
    } finally {
      this.sharingBusy.set(false);
      this.sharing.set(s.screenSharing);
    }
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
      const changed = () => this.tracksChanged.update((n) => n + 1);
      this.#offs.push(
        session.on('error', (err) => this.error.set(describeError(err))),
        session.on('connection', (c) => this.connection.set(c)),
        session.on('remoteScreen', (m) => this.remoteScreen.set(m)),
        session.on('screenSharing', (on) => this.sharing.set(on)),
        session.on('speaker', (peer) => this.speaker.set(peer)),
        session.on('localStream', changed),
        session.on('remoteTrack', changed),
      );
      this.session.set(session);
      this.connection.set(session.connection);
      this.remoteScreen.set(session.remoteScreen);
      this.speaker.set(session.activeSpeaker);
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
    for (const off of this.#offs.splice(0)) off();
    s.close();
    this.session.set(null);
    this.remoteScreen.set(null);
    this.sharing.set(false);
    this.speaker.set(null);
    this.devicesOpen.set(false);
    this.connection.set('connecting');
    if (window.__engageCall === s) window.__engageCall = null;
  }
}
