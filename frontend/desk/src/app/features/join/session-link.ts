/**
 * The widget's "Open full view": `/join#session=<customer token>`. The token travels in the fragment,
 * which browsers never send to a server or in a Referer; the join page takes it out of the address
 * bar at once and asks the backend whether it is good before using it.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_MAX = 4096;

/** The token of a `#session=…` fragment (a JWT's characters only), or null. */
export function tokenFromFragment(hash: string): string | null {
  if (!hash.startsWith('#')) return null;
  const token = new URLSearchParams(hash.slice(1)).get('session');
  return token && token.length <= TOKEN_MAX && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) ? token : null;
}

/**
 * The engagement a customer token names, read without verifying it (only the backend can): it says
 * which engagement to ask the backend about. Null for anything but a customer token (a staff token
 * pasted into the link must not make this page act as staff).
 */
export function engagementOfToken(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='))) as { role?: unknown; eid?: unknown } | null;
    return claims?.role === 'customer' && typeof claims.eid === 'string' && UUID.test(claims.eid) ? claims.eid : null;
  } catch {
    return null;
  }
}
