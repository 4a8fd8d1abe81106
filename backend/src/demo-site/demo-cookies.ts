// Cookies of the demo shop: a cart readable by the server and a signed-ish login session.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CART_COOKIE = 'nw_cart';
export const SESSION_COOKIE = 'nw_session';

/** product id → quantity */
export type Cart = Map<string, number>;

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed cookie from some other app on the host is ignored, not fatal
    }
  }
  return out;
}

export function serializeCookie(name: string, value: string, maxAgeSeconds?: number): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  return parts.join('; ');
}

/** Cart cookie format: `id:qty,id:qty` with only known ids and quantities 1..99 kept. */
export function decodeCart(raw: string | undefined, knownIds: ReadonlySet<string>): Cart {
  const cart: Cart = new Map();
  for (const item of (raw ?? '').split(',')) {
    const [id, qty] = item.split(':');
    const n = Number(qty);
    if (id && knownIds.has(id) && Number.isInteger(n) && n > 0) cart.set(id, Math.min(n, 99));
  }
  return cart;
}

export function encodeCart(cart: Cart): string {
  return [...cart].map(([id, qty]) => `${id}:${qty}`).join(',');
}

export function cartCount(cart: Cart): number {
  let n = 0;
  for (const qty of cart.values()) n += qty;
  return n;
}

/** Session cookie: base64url(name).hmac — enough to stop a visitor from editing it by hand. */
export function signSession(name: string, secret: Buffer): string {
  const payload = Buffer.from(name, 'utf8').toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

export function verifySession(raw: string | undefined, secret: Buffer): string | null {
  if (!raw) return null;
  const dot = raw.lastIndexOf('.');
  if (dot < 1) return null;
  const payload = raw.slice(0, dot);
  const given = Buffer.from(raw.slice(dot + 1));
  const expected = Buffer.from(mac(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const name = Buffer.from(payload, 'base64url').toString('utf8');
  return name || null;
}

function mac(payload: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
