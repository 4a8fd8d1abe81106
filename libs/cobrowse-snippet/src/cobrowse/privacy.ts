/**
 * What a site tells the widget about co-browse privacy: extra elements to block, text to mask,
 * and pages that are never shared. Read from the script tag (`data-cobrowse-private`,
 * `data-cobrowse-mask`, `data-cobrowse-protected`) or passed as options.
 */
export interface CobrowseSiteOptions {
  /** CSS selector list of elements never recorded (shown to the agent as an empty box). */
  privateSelector?: string;
  /** CSS selector list of elements whose text is replaced by asterisks. */
  maskSelector?: string;
  /** Path globs (`*` = anything) of pages that are never shared, e.g. `/account/security*`. */
  protectedPages?: readonly string[];
}

/** Always blocked: the site's own private marker, a protected marker and the widget itself. */
export const PRIVATE_SELECTOR = '[data-cobrowse="private"],[data-cobrowse="protected"],engage-widget';
export const MASK_SELECTOR = '[data-cobrowse="mask"]';
export const PROTECTED_MARKER = '[data-cobrowse="protected"]';

/** Reads the data-cobrowse-* attributes of the widget's script tag. */
export function readScriptOptions(script: Pick<Element, 'getAttribute'> | null | undefined): CobrowseSiteOptions {
  if (!script) return {};
  const attr = (name: string) => script.getAttribute(name)?.trim() || undefined;
  const pages = attr('data-cobrowse-protected');
  return {
    privateSelector: attr('data-cobrowse-private'),
    maskSelector: attr('data-cobrowse-mask'),
    protectedPages: pages ? splitList(pages) : undefined,
  };
}

export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Joins the built-in selector with a site's own; a site selector the browser cannot parse is
 * dropped (an invalid selector would make rrweb throw on every node and record nothing useful).
 */
export function selectorList(base: string, extra: string | undefined, isValid: (sel: string) => boolean): string {
  if (!extra) return base;
  return isValid(extra) ? `${base},${extra}` : base;
}

export function isValidSelector(sel: string): boolean {
  try {
    document.createDocumentFragment().querySelector(sel);
    return true;
  } catch {
    return false;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * Whether `href` matches one of the protected-page globs. A glob starting with `http` is
 * compared with the whole URL (without the fragment); one containing `?` with path and query;
 * any other with the path alone. A trailing slash does not matter.
 */
export function matchesProtectedUrl(href: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns?.length) return false;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  return patterns.some((raw) => {
    const glob = raw.trim();
    if (!glob) return false;
    if (/^https?:/i.test(glob)) return globToRegExp(trimSlash(glob)).test(trimSlash(`${url.origin}${url.pathname}${url.search}`));
    if (glob.includes('?')) return globToRegExp(glob).test(`${url.pathname}${url.search}`);
    return globToRegExp(trimSlash(glob)).test(trimSlash(url.pathname));
  });
}

/** A page is protected by URL rule or by a `data-cobrowse="protected"` element on it. */
export function isProtectedPage(doc: Pick<Document, 'querySelector'>, href: string, patterns: readonly string[] | undefined): boolean {
  return matchesProtectedUrl(href, patterns) || doc.querySelector(PROTECTED_MARKER) !== null;
}
