import { createHmac, timingSafeEqual } from 'node:crypto';
import { DOC_API } from '@engage/protocol';
import { ForbiddenError } from '../common/errors';

/** What a content URL may serve: the stored variants, and `media` (the original, inline) for images and video. */
export const URL_VARIANTS = ['original', 'pdf', 'thumb', 'page1', 'media'] as const;
export type UrlVariant = (typeof URL_VARIANTS)[number];

/**
 * Signed, expiring content URLs (HMAC-SHA256 over document id, variant and expiry), so <img>,
 * <video> and pdf.js load bytes without a bearer header while nobody else can.
 */
export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlS: number,
    private readonly now: () => number = Date.now,
  ) {}

  url(documentId: string, variant: UrlVariant): string {
    // Expiry rounded up to the minute: the same URL for a minute keeps browser caches useful.
    const exp = Math.ceil((this.now() / 1000 + this.ttlS) / 60) * 60;
    return `${DOC_API.content(documentId)}?variant=${variant}&exp=${exp}&sig=${this.sign(documentId, variant, exp)}`;
  }

  /** The variant, or ForbiddenError for a bad, foreign or expired signature. */
  verify(documentId: string, query: { variant?: unknown; exp?: unknown; sig?: unknown }): UrlVariant {
    const variant = URL_VARIANTS.find((v) => v === query.variant);
    const exp = typeof query.exp === 'string' && /^\d{1,12}$/.test(query.exp) ? Number(query.exp) : NaN;
    const sig = typeof query.sig === 'string' ? query.sig : '';
    if (!variant || !Number.isFinite(exp)) throw new ForbiddenError('This link is incomplete; open the document again from the room.');
    const expected = Buffer.from(this.sign(documentId, variant, exp));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ForbiddenError('This link is not valid for this document.');
    if (exp * 1000 < this.now()) throw new ForbiddenError('This link has expired; open the document again from the room.');
    return variant;
  }

  private sign(documentId: string, variant: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${documentId}\n${variant}\n${exp}`).digest('base64url');
  }
}
