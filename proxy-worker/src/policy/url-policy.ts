// The URL policy of the proxied browser (SSRF guard), as pure functions. The egress proxy applies
// `checkTarget` before resolving and `checkResolved` to every address a name resolves to; the
// session applies `checkUrl` to navigations so that a refusal has a clear reason before any I/O.
import { classifyAddress, parseAddress } from './address';

export type PolicyVerdict = { ok: true } | { ok: false; reason: string };

const ALLOWED_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/** `host:port` entries that may be reached even if private (test fixtures), canonicalized. */
export class AllowList {
  private readonly entries: ReadonlySet<string>;
  private constructor(entries: Set<string>) {
    this.entries = entries;
  }
  /** Parses `127.0.0.1:4000,[::1]:4001,fixture.test:80`; throws with a sentence on a bad entry. */
  static parse(text: string): AllowList {
    const entries = new Set<string>();
    for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\[[^\]\s]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(raw);
      if (!m || Number(m[2]) > 65535) throw new Error(`"${raw}" is not host:port`);
      entries.add(AllowList.key(m[1], Number(m[2])));
    }
    return new AllowList(entries);
  }
  static empty(): AllowList {
    return new AllowList(new Set());
  }
  private static key(host: string, port: number): string {
    return `${canonicalHost(host)}:${port}`;
  }
  /** Matches the host as requested, never as resolved: a name resolving to an allowed address stays refused. */
  has(host: string, port: number): boolean {
    return this.entries.has(AllowList.key(host, port));
  }
  get size(): number {
    return this.entries.size;
  }
}

/** Lower-case, bracket-free, and IP literals in canonical text. */
export function canonicalHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const addr = parseAddress(h);
  if (addr) return addr.text;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain';
}

/**
 * Judges a host and port before any DNS lookup: literal addresses are classified, names that
 * always mean this machine are refused; any other name must still pass `checkResolved`.
 */
export function checkTarget(host: string, port: number, allow: AllowList): PolicyVerdict {
  if (!host) return { ok: false, reason: 'blocked: empty host' };
  if (allow.has(host, port)) return { ok: true };
  const canonical = canonicalHost(host);
  const addr = parseAddress(canonical);
  if (addr) {
    const cls = classifyAddress(addr);
    return cls ? { ok: false, reason: `blocked: ${cls} address ${addr.text}` } : { ok: true };
  }
  if (isLocalName(canonical)) return { ok: false, reason: `blocked: loopback name ${canonical}` };
  if (!/^[a-z0-9_.-]+$/.test(canonical)) return { ok: false, reason: `blocked: invalid host ${JSON.stringify(host)}` };
  return { ok: true };
}

/** Judges the addresses a name resolved to: one non-public address refuses the whole name. */
export function checkResolved(host: string, port: number, addresses: readonly string[], allow: AllowList): PolicyVerdict {
  if (allow.has(host, port)) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: `blocked: ${host} does not resolve` };
  for (const a of addresses) {
    const addr = parseAddress(a);
    if (!addr) return { ok: false, reason: `blocked: ${host} resolved to a non-address ${a}` };
    const cls = classifyAddress(addr);
    if (cls) return { ok: false, reason: `blocked: ${host} resolves to ${cls} address ${addr.text}` };
  }
  return { ok: true };
}

/** Judges a URL the browser is asked to open (top level): scheme first, then the host. */
export function checkUrl(url: string, allow: AllowList, opts: { topLevel?: boolean } = {}): PolicyVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'blocked: not a URL' };
  }
  const scheme = parsed.protocol;
  const topLevelOk = scheme === 'http:' || scheme === 'https:';
  if (opts.topLevel ? !topLevelOk : !ALLOWED_SCHEMES.has(scheme)) {
    return { ok: false, reason: `blocked: scheme ${scheme.replace(/:$/, '')}` };
  }
  if (parsed.username || parsed.password) return { ok: false, reason: 'blocked: credentials in URL' };
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[scheme];
  return checkTarget(parsed.hostname, port, allow);
}
