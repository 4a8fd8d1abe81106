import { EV, type ChatMessage, type EngagementView } from '@engage/protocol';
import { ChatSession } from './chat-session';
import { RequestError, type ConnectionStatus, type EngageSocket } from './engage-socket';
import { memoryStore } from './storage';

const EID = '00000000-0000-4000-8000-000000000001';
const view = { id: EID, readSeq: { customer: 0, agent: 0 } } as EngagementView;

/** A scripted stand-in for the socket: the tests decide what each request answers. */
class FakeSocket {
  connected = false;
  sends: { clientId: string; body: string }[] = [];
  answer: (clientId: string) => Promise<unknown> = () => Promise.reject(new RequestError('offline', 'down'));
  history: ChatMessage[] = [];
  #status = new Set<(s: ConnectionStatus) => void>();
  #events = new Map<string, (p: unknown) => void>();
  request(ev: string, payload: { clientId: string; body: string; afterSeq: number }): Promise<unknown> {
    if (!this.connected) return Promise.reject(new RequestError('offline', 'down'));
    if (ev === EV.engagementJoin) return Promise.resolve({ engagement: view });
    if (ev === EV.chatHistory) return Promise.resolve({ messages: this.history.filter((m) => m.seq > payload.afterSeq), lastSeq: 0, hasMore: false });
    if (ev === EV.chatSend) {
      this.sends.push({ clientId: payload.clientId, body: payload.body });
      return this.answer(payload.clientId);
    }
    return Promise.resolve({});
  }
  on(ev: string, fn: (p: unknown) => void) {
    this.#events.set(ev, fn);
    return () => this.#events.delete(ev);
  }
  emit(ev: string, p: unknown) {
    this.#events.get(ev)?.(p);
  }
  onStatus(fn: (s: ConnectionStatus) => void) {
    this.#status.add(fn);
    return () => this.#status.delete(fn);
  }
  setConnected(c: boolean) {
    this.connected = c;
    for (const fn of this.#status) fn(c ? 'connected' : 'reconnecting');
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const msg = (seq: number, clientId: string, body = clientId): ChatMessage => ({
  engagementId: EID,
  seq,
  clientId,
  body,
  sender: { role: 'customer', name: 'C' },
  sentAt: new Date(0).toISOString(),
});

function session(fake: FakeSocket, storage = memoryStore()) {
  return { s: ChatSession.create({ socket: fake as unknown as EngageSocket, engagementId: EID, role: 'customer', storage }), storage };
}

describe('ChatSession', () => {
  it('keeps unacknowledged messages in storage, so a new page resends them', async () => {
    const fake = new FakeSocket();
    const { s, storage } = session(fake);
    s.send('first');
    s.send('second');
    expect(s.pending().map((p) => p.body)).toEqual(['first', 'second']);
    s.close();

    const fake2 = new FakeSocket();
    let seq = 0;
    fake2.answer = () => Promise.resolve({ seq: ++seq, sentAt: new Date().toISOString(), duplicate: false });
    const { s: next } = session(fake2, storage);
    expect(next.pending().map((p) => p.body)).toEqual(['first', 'second']);
    fake2.setConnected(true);
    await flush();
    await flush();
    expect(fake2.sends.map((x) => x.body)).toEqual(['first', 'second']);
    expect(next.pending()).toEqual([]);
    expect(next.messages().map((m) => m.body)).toEqual(['first', 'second']);
    expect(storage.getItem(`engage:chat:${EID}`)).toBeNull();
  });

  it('does not resend what history shows was stored before the connection dropped', async () => {
    const fake = new FakeSocket();
    const { s } = session(fake);
    const id = s.send('stored but unacknowledged');
    fake.history = [msg(1, id, 'stored but unacknowledged')];
    fake.setConnected(true);
    await flush();
    await flush();
    expect(fake.sends).toEqual([]);
    expect(s.pending()).toEqual([]);
    expect(s.messages().map((m) => m.clientId)).toEqual([id]);
  });

  it('orders by server sequence and ignores a broadcast it already has', async () => {
    const fake = new FakeSocket();
    const { s } = session(fake);
    fake.emit(EV.chatMessage, msg(3, 'c'));
    fake.emit(EV.chatMessage, msg(1, 'a'));
    fake.emit(EV.chatMessage, msg(3, 'c'));
    fake.emit(EV.chatMessage, { ...msg(2, 'other'), engagementId: 'another' });
    expect(s.messages().map((m) => m.seq)).toEqual([1, 3]);
  });

  it('marks a message failed when the server refuses it for good, and retries when it is busy', async () => {
    jest.useFakeTimers();
    try {
      const fake = new FakeSocket();
      const { s } = session(fake);
      fake.connected = true;
      let calls = 0;
      fake.answer = (clientId) => {
        if (fake.sends.find((x) => x.clientId === clientId)?.body.startsWith('x')) return Promise.reject(new RequestError('payload_too_large', 'Too long.'));
        calls++;
        return calls === 1 ? Promise.reject(new RequestError('overloaded', 'Busy.', 1)) : Promise.resolve({ seq: 7, sentAt: '', duplicate: false });
      };
      const tooBig = s.send('x'.repeat(10));
      s.send('later');
      await jest.advanceTimersByTimeAsync(0);
      expect(s.pending().find((p) => p.clientId === tooBig)?.status).toBe('failed');
      expect(s.pending().map((p) => p.body)).toContain('later');
      await jest.advanceTimersByTimeAsync(1000);
      expect(s.pending().map((p) => p.body)).toEqual(['x'.repeat(10)]);
      expect(s.messages().map((m) => m.body)).toEqual(['later']);
      s.discard(tooBig);
      expect(s.pending()).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fills the gap from where it was when the connection came back, even if broadcasts ran ahead', async () => {
    const fake = new FakeSocket();
    const { s } = session(fake);
    fake.emit(EV.chatMessage, msg(1, 'a'));
    fake.history = [msg(1, 'a'), msg(2, 'b'), msg(3, 'c'), msg(4, 'd')];
    // Once the room is joined, the newest message is broadcast before history is asked for.
    const request = fake.request.bind(fake);
    fake.request = (ev, payload) => {
      const answer = request(ev, payload);
      if (ev !== EV.engagementJoin) return answer;
      return answer.then((r) => {
        fake.emit(EV.chatMessage, msg(4, 'd'));
        return r;
      });
    };
    fake.setConnected(true);
    await flush();
    await flush();
    await flush();
    expect(s.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('retries a sync the server could not answer yet', async () => {
    jest.useFakeTimers();
    try {
      const fake = new FakeSocket();
      const { s } = session(fake);
      fake.history = [msg(1, 'a')];
      let refusals = 1;
      const request = fake.request.bind(fake);
      fake.request = (ev, payload) => {
        if (ev === EV.engagementJoin && refusals-- > 0) return Promise.reject(new RequestError('internal', 'starting'));
        return request(ev, payload);
      };
      fake.setConnected(true);
      await jest.advanceTimersByTimeAsync(0);
      expect(s.messages()).toEqual([]);
      await jest.advanceTimersByTimeAsync(600);
      expect(s.messages().map((m) => m.seq)).toEqual([1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('close() is idempotent and stops listening', () => {
    const fake = new FakeSocket();
    const { s } = session(fake);
    s.close();
    s.close();
    fake.emit(EV.chatMessage, msg(1, 'a'));
    expect(s.messages()).toEqual([]);
  });
});
