import { randomInt } from 'node:crypto';

export const INVITE_TTL_MS = 20 * 60 * 1000;

/** Six random digits (leading zeros kept). */
export function randomInviteCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
