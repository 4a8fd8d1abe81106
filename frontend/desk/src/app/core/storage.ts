import type { KeyValueStore } from '@engage/chat-client';

/** sessionStorage when the browser allows it (privacy modes may forbid it), else nothing is kept. */
export function sessionStore(): KeyValueStore | undefined {
  try {
    return globalThis.sessionStorage ?? undefined;
  } catch {
    return undefined;
  }
}

export function readSession<T>(key: string): T | null {
  try {
    const raw = sessionStore()?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function writeSession(key: string, value: unknown): void {
  try {
    sessionStore()?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or forbidden: the value lives as long as the page.
  }
}

export function removeSession(key: string): void {
  try {
    sessionStore()?.removeItem(key);
  } catch {
    // nothing to remove
  }
}
