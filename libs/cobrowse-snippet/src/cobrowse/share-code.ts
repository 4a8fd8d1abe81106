/**
 * "Share this page" without a chat, as the widget sees it: the customer presses Share (their consent
 * to share this tab), gets a 6-digit code and reads it to the agent on the phone. The code works
 * once and expires; once the agent has used it, co-browse is active and the code goes away.
 */
export type ShareCodeState =
  | { phase: 'idle' }
  | { phase: 'creating' }
  | { phase: 'shown'; code: string; expiresAt: number }
  | { phase: 'expired' }
  | { phase: 'failed'; message: string };

export const SHARE_IDLE: ShareCodeState = { phase: 'idle' };

/** "123 456": two groups of three are easier to read aloud. */
export function formatShareCode(code: string): string {
  return /^\d{6}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** "Expires in 19:42" (minutes:seconds left), or the expired sentence. */
export function expiryText(expiresAt: number, now: number): string {
  const left = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  if (left === 0) return 'This code has expired.';
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, '0');
  return `Expires in ${m}:${s}`;
}

/** The code has run out by `now`. */
export function isExpired(s: ShareCodeState, now: number): boolean {
  return s.phase === 'shown' && now >= s.expiresAt;
}
