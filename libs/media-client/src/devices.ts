import type { MediaKind } from '@engage/protocol';

/** A microphone or camera a person can choose. */
export interface DeviceChoice {
  id: string;
  label: string;
}

/** The camera a call sends: small enough for two people and a shared screen on one uplink. */
export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: 640, height: 360, frameRate: 15 };

/** getUserMedia constraints for one kind of track, from a chosen device or the default one. */
export function trackConstraints(kind: MediaKind, deviceId?: string): MediaTrackConstraints | true {
  const device = deviceId ? { deviceId: { exact: deviceId } } : {};
  if (kind === 'video') return { ...CAMERA_CONSTRAINTS, ...device };
  return deviceId ? device : true;
}

/**
 * The microphones and cameras of this browser (labels are there once the page has been granted
 * media). Devices without a label get one ("Microphone 2") so that a list never shows blanks.
 */
export async function listDevices(mediaDevices: Pick<MediaDevices, 'enumerateDevices'> = navigator.mediaDevices): Promise<Record<MediaKind, DeviceChoice[]>> {
  const all = await mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind, word: string) =>
    all
      .filter((d) => d.kind === kind && d.deviceId)
      .map((d, i) => ({ id: d.deviceId, label: d.label || `${word} ${i + 1}` }));
  return { audio: pick('audioinput', 'Microphone'), video: pick('videoinput', 'Camera') };
}

/** The device a live track comes from ('' when the browser does not say). */
export function deviceOf(track: MediaStreamTrack | undefined): string {
  return track?.getSettings?.().deviceId ?? '';
}
