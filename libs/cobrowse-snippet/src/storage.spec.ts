import { memoryStore, type KeyValueStore } from '@engage/chat-client';
import { SESSION_KEY, clearSession, loadSession, safeStorage, saveSession, type StoredSession } from './storage';

const throwing: KeyValueStore = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
};

describe('safeStorage', () => {
  it('reads and writes through to the real store', () => {
    const backing = memoryStore();
    backing.setItem('a', 'from another page');
    const s = safeStorage(() => backing);
    expect(s.getItem('a')).toBe('from another page');
    s.setItem('b', '2');
    expect(backing.getItem('b')).toBe('2');
    s.removeItem('a');
    expect(backing.getItem('a')).toBeNull();
    expect(s.getItem('a')).toBeNull();
  });

  it('falls back to memory when the store throws on every call', () => {
    const s = safeStorage(() => throwing);
    expect(s.getItem('x')).toBeNull();
    expect(() => s.setItem('x', '1')).not.toThrow();
    expect(s.getItem('x')).toBe('1');
    s.removeItem('x');
    expect(s.getItem('x')).toBeNull();
  });

  it('works when even reaching the store throws (sandboxed iframe)', () => {
    const s = safeStorage(() => {
      throw new Error('SecurityError');
    });
    s.setItem('k', 'v');
    expect(s.getItem('k')).toBe('v');
  });
});

describe('stored session', () => {
  const session: StoredSession = {
    platform: 'https://platform.test',
    engagementId: '7b0c1d39-4a4c-4f57-9f3b-1d0d6c1f0a11',
    customerToken: 'tok',
    customerName: 'Ada',
    open: true,
  };

  it('round-trips', () => {
    const s = memoryStore();
    saveSession(s, session);
    expect(loadSession(s, session.platform)).toEqual(session);
  });

  it('belongs to one platform', () => {
    const s = memoryStore();
    saveSession(s, session);
    expect(loadSession(s, 'https://other.test')).toBeNull();
  });

  it.each(['not json', '{"v":1}', '{"v":2,"platform":"https://platform.test","engagementId":"e","customerToken":"t"}', 'null', '42'])(
    'ignores a damaged record %s',
    (raw) => {
      const s = memoryStore();
      s.setItem(SESSION_KEY, raw);
      expect(loadSession(s, session.platform)).toBeNull();
    },
  );

  it('clears the session and its chat outbox', () => {
    const s = memoryStore();
    saveSession(s, session);
    s.setItem(`engage:chat:${session.engagementId}`, '{"outbox":[]}');
    clearSession(s, session.engagementId);
    expect(s.getItem(SESSION_KEY)).toBeNull();
    expect(s.getItem(`engage:chat:${session.engagementId}`)).toBeNull();
  });
});
