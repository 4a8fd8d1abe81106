/**
 * Where the platform lives: the `data-engage-url` attribute of the script tag when given, else
 * the folder the script was loaded from (so a platform behind a path prefix works too).
 */
export function resolvePlatformUrl(attr: string | null | undefined, src: string | null | undefined, base: string): string | null {
  const raw = attr?.trim() || src;
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const path = attr?.trim() ? url.pathname : url.pathname.replace(/\/[^/]*$/, '');
  return `${url.origin}${path.replace(/\/+$/, '')}`;
}
