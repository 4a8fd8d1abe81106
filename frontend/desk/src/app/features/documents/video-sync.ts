import { DOC_LIMITS, type VideoSyncState } from '@engage/protocol';

/** Where the shared video should be now (seconds), given the server's clock. */
export function expectedPosition(v: VideoSyncState, serverNow: number): number {
  return v.playing ? v.position + (Math.max(0, serverNow - v.at) / 1000) * v.rate : v.position;
}

/** Seek instead of nudging the rate beyond this much drift, seconds. */
export const SEEK_DRIFT_S = 1;

/**
 * What to do about a drift (local minus expected, seconds): nothing inside DOC_LIMITS.videoDriftMs,
 * a seek when it is large, otherwise a playback rate a little faster or slower until it closes.
 */
export function correction(drift: number, rate: number): { seek: boolean; rate: number } {
  const abs = Math.abs(drift);
  if (abs * 1000 <= DOC_LIMITS.videoDriftMs / 2) return { seek: false, rate };
  if (abs >= SEEK_DRIFT_S) return { seek: true, rate };
  if (abs * 1000 <= DOC_LIMITS.videoDriftMs) return { seek: false, rate };
  const nudge = Math.min(0.1, Math.max(0.03, abs * 0.25));
  return { seek: false, rate: rate * (drift > 0 ? 1 - nudge : 1 + nudge) };
}
