import { createHash, timingSafeEqual } from 'node:crypto';

/** Timing-safe check of `Authorization: Bearer <secret>` (hashing first makes lengths equal). */
export function bearerMatches(header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = createHash('sha256').update(match[1]).digest();
  const wanted = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, wanted);
}
