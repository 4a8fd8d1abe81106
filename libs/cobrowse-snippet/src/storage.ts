import type { KeyValueStore } from '@engage/chat-client';

/**
 * localStorage that never throws: a blocked, full or missing store (private mode, sandboxed
 * iframe, cookies disabled) falls back to memory for this page, so chat still works here.
 */
export function safeStorage(getStore: () => KeyValueStore | null | undefined): KeyValueStore {
  // This page's writes; null marks a removal. Read first so a failed write is still seen here.
  const local = new Map<string, string | null>();
  let store: KeyValueStore | null = null;
  try {
    store = getStore() ?? null;
  } catch {
    store = null;
  }
  return {
    getItem(key) {
      if (local.has(key)) return local.get(key) ?? null;
      try {
        return store ? store.getItem(key) : null;
      } catch {
        return null;
      }
    },
    setItem(key, value) {
      local.set(key, value);
      try {
        store?.setItem(key, value);
      } catch {
        // quota or security error: memory keeps it for this page
      }
    },
    removeItem(key) {
      local.set(key, null);
      try {
        store?.removeItem(key);
      } catch {
        // as above
      }
    },
  };
}

/** What lets the engagement outlive a page navigation on the same site. */
export interface StoredSession {
  platform: string;
  engagementId: string;
  customerToken: string;
  customerName: string | null;
  /** Whether the panel was open, restored on the next page. */
  open: boolean;
}

export const SESSION_KEY = 'engage:session';
const VERSION = 1;

export function loadSession(store: KeyValueStore, platform: string): StoredSession | null {
  let raw: unknown;
  try {
    raw = JSON.parse(store.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (
    r['v'] !== VERSION ||
    r['platform'] !== platform ||
    typeof r['engagementId'] !== 'string' ||
    typeof r['customerToken'] !== 'string' ||
    !r['engagementId'] ||
    !r['customerToken']
  ) {
    return null;
  }
  return {
    platform,
    engagementId: r['engagementId'],
    customerToken: r['customerToken'],
    customerName: typeof r['customerName'] === 'string' ? r['customerName'] : null,
    open: r['open'] === true,
  };
}

export function saveSession(store: KeyValueStore, session: StoredSession): void {
  store.setItem(SESSION_KEY, JSON.stringify({ v: VERSION, ...session }));
}

/** Forgets the session and the chat outbox the chat client kept for it. */
export function clearSession(store: KeyValueStore, engagementId?: string): void {
  store.removeItem(SESSION_KEY);
  if (engagementId) store.removeItem(`engage:chat:${engagementId}`);
}
