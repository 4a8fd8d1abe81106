import { ChangeDetectionStrategy, Component, effect, input, output, signal } from '@angular/core';
import type { CallSession, DeviceChoice } from '@engage/media-client';
import type { MediaKind } from '@engage/protocol';
import { describeError } from '../../core/errors';

/**
 * The microphone and camera of a running call, each in a list: choosing one swaps the sent track in
 * place (the other side keeps receiving). Shown under the call bar when "Devices" is open.
 */
@Component({
  selector: 'app-call-devices',
  template: `
    @let ids = current();
    <div class="devices" data-testid="call-devices-panel">
      <label>
        <span>Microphone</span>
        <select data-testid="call-mic-select" [disabled]="busy()" (change)="choose('audio', $event)">
          @for (d of list().audio; track d.id) {
            <option [value]="d.id" [selected]="d.id === ids.audio">{{ d.label }}</option>
          }
        </select>
      </label>
      @if (session().kind === 'video') {
        <label>
          <span>Camera</span>
          <select data-testid="call-camera-select" [disabled]="busy()" (change)="choose('video', $event)">
            @for (d of list().video; track d.id) {
              <option [value]="d.id" [selected]="d.id === ids.video">{{ d.label }}</option>
            }
          </select>
        </label>
      }
    </div>
  `,
  styles: `
    :host { display: block; }
    .devices { display: flex; flex-wrap: wrap; gap: 8px 16px; padding: 0 16px 8px; }
    label { display: flex; align-items: center; gap: 8px; font-size: 0.875rem; color: var(--muted); min-width: 0; }
    select { min-height: 36px; max-width: 260px; padding: 0 8px; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--surface); color: var(--text); font: inherit; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallDevicesComponent {
  readonly session = input.required<CallSession>();
  /** A device could not be started: a sentence for the panel ('' when a new choice clears the last one). */
  readonly failed = output<string>();

  protected readonly list = signal<Record<MediaKind, DeviceChoice[]>>({ audio: [], video: [] });
  protected readonly current = signal<Record<MediaKind, string>>({ audio: '', video: '' });
  protected readonly busy = signal(false);

  constructor() {
    effect((onCleanup) => {
      const session = this.session();
      void this.#refresh(session);
      const off = session.on('localStream', () => this.current.set(session.deviceIds));
      // A headset plugged in or out while the list is open.
      const changed = () => void this.#refresh(session);
      navigator.mediaDevices?.addEventListener('devicechange', changed);
      onCleanup(() => {
        off();
        navigator.mediaDevices?.removeEventListener('devicechange', changed);
      });
    });
  }

  protected async choose(kind: MediaKind, event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const session = this.session();
    this.busy.set(true);
    this.failed.emit('');
    try {
      await session.switchDevice(kind, select.value);
    } catch (err) {
      const what = kind === 'audio' ? 'microphone' : 'camera';
      this.failed.emit(err instanceof DOMException ? `That ${what} could not be started: ${err.message}` : describeError(err));
      // The list shows the device still in use.
      select.value = session.deviceIds[kind];
    } finally {
      this.busy.set(false);
      this.current.set(session.deviceIds);
    }
  }

  async #refresh(session: CallSession): Promise<void> {
    try {
      this.list.set(await session.devices());
    } catch (err) {
      this.failed.emit(describeError(err));
    }
    this.current.set(session.deviceIds);
  }
}
