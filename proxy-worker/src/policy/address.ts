// Pure address parsing and classification: which IP addresses a proxied browser may reach.
// Hosts arrive in every spelling a URL parser or a CONNECT line can carry (decimal, hex, octal and
// short IPv4 forms, bracketed IPv6, IPv4-mapped IPv6), so each is reduced to bytes before judging.

/** Why an address may not be reached; `null` from classify means it is public. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'unique-local'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'benchmark';

export interface ParsedAddress {
  family: 4 | 6;
  bytes: number[];
  /** Canonical text: dotted quad, or compressed lower-case IPv6 without brackets. */
  text: string;
}

/** One IPv4 part as the WHATWG URL parser reads it: 0x hex, leading-0 octal, else decimal. */
function parseIPv4Part(part: string): number | null {
  if (part === '') return null;
  let radix = 10;
  let digits = part;
  if (/^0x/i.test(part)) {
    radix = 16;
    digits = part.slice(2);
    if (digits === '') return 0;
  } else if (part.length > 1 && part.startsWith('0')) {
    radix = 8;
    digits = part.slice(1);
  }
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  const value = parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : null;
}

/** IPv4 in any form a browser accepts: `127.0.0.1`, `2130706433`, `0x7f000001`, `0177.1`, `127.1`. */
export function parseIPv4(host: string): number[] | null {
  const parts = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parseIPv4Part(p);
    if (n === null) return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255)) return null;
  if (last >= 256 ** (4 - nums.length)) return null;
  let value = last;
  nums.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}

/** IPv6 text (brackets optional, embedded IPv4 tail allowed, no zone id) to 16 bytes. */
export function parseIPv6(host: string): number[] | null {
  let h = host;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (!h.includes(':') || h.includes('%')) return null;
  // An embedded IPv4 tail (::ffff:127.0.0.1) becomes two hex groups.
  const lastColon = h.lastIndexOf(':');
  const tail = h.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail)) return null;
    const v4 = tail.split('.').map(Number);
    if (v4.some((n) => n > 255)) return null;
    h = `${h.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = h.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = toGroups(halves[0]);
  const rest = halves.length === 2 ? toGroups(halves[1]) : [];
  const all = [...head, ...rest];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  if (halves.length === 1 ? all.length !== 8 : all.length > 7) return null;
  const zeros = halves.length === 2 ? 8 - all.length : 0;
  const groups = [...head, ...Array<string>(zeros).fill('0'), ...rest].map((g) => parseInt(g, 16));
  const bytes: number[] = [];
  for (const g of groups) bytes.push((g >> 8) & 255, g & 255);
  return bytes;
}

function ipv6Text(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // Compress the longest run of zero groups (length >= 2), as RFC 5952 says.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** An IP literal in any accepted spelling, or null when the host is a name. */
export function parseAddress(host: string): ParsedAddress | null {
  const v6 = parseIPv6(host);
  if (v6) return { family: 6, bytes: v6, text: ipv6Text(v6) };
  if (host.startsWith('[')) return null;
  const v4 = parseIPv4(host);
  if (v4) return { family: 4, bytes: v4, text: v4.join('.') };
  return null;
}

function inV4(b: number[], net: [number, number, number, number], prefix: number): boolean {
  const value = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const base = ((net[0] << 24) | (net[1] << 16) | (net[2] << 8) | net[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) === (base & mask);
}

const V4_RANGES: Array<[[number, number, number, number], number, AddressClass]> = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmark'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function classifyV4(b: number[]): AddressClass | null {
  for (const [net, prefix, cls] of V4_RANGES) if (inV4(b, net, prefix)) return cls;
  return null;
}

function classifyV6(b: number[]): AddressClass | null {
  const zeroTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroTo(16)) return 'unspecified';
  if (zeroTo(15) && b[15] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d.
  if (zeroTo(10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(b.slice(12));
  if (zeroTo(12)) return classifyV4(b.slice(12));
  if (zeroTo(8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return classifyV4(b.slice(12));
  // NAT64 64:ff9b::/96 and 64:ff9b:1::/48 carry an IPv4 address that a gateway would reach.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return b.slice(4, 12).every((x) => x === 0) ? classifyV4(b.slice(12)) : 'reserved';
  // 6to4 2002:a.b.c.d::/48.
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(b.slice(2, 6));
  if ((b[0] & 0xfe) === 0xfc) return 'unique-local';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return 'private'; // deprecated site-local fec0::/10
  if (b[0] === 0xff) return 'multicast';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'documentation';
  if (b[0] === 0x01 && b.slice(1, 8).every((x) => x === 0)) return 'reserved'; // 100::/64 discard-only
  return null;
}

/** The class that forbids reaching an address, or null when it is a public address. */
export function classifyAddress(addr: ParsedAddress): AddressClass | null {
  return addr.family === 4 ? classifyV4(addr.bytes) : classifyV6(addr.bytes);
}
