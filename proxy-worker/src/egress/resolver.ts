import { lookup } from 'node:dns/promises';

/** Resolves a host name to every address it has; injectable so tests can stage DNS rebinding. */
export type Resolver = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo), IPv4 first. */
export const systemResolver: Resolver = async (host) => {
  const results = await lookup(host, { all: true, order: 'ipv4first' });
  return results.map((r) => r.address);
};

/** A resolver answering some names from a fixed table and the rest from `fallback`. */
export function staticResolver(table: Record<string, string[]>, fallback: Resolver = systemResolver): Resolver {
  return async (host) => table[host.toLowerCase()] ?? fallback(host);
}
