import { EventEmitter } from 'node:events';
import type { SfuNotification } from '@engage/protocol';
import type { SfuClient } from '../media/sfu-client';

/**
 * The SFU's control API as CallsService calls it, for unit specs: every request a jest.fn that
 * answers like a healthy SFU (ids t1, p2, c3… from one counter), and `events`, the notification
 * stream openEvents() hands out, for the spec to emit SFU notifications on.
 */
export function fakeSfu() {
  let n = 0;
  const events = Object.assign(new EventEmitter<{ notification: [SfuNotification]; connected: [] }>(), { close: jest.fn() });
  const sfu = {
    join: jest.fn(async () => ({ routerRtpCapabilities: { codecs: [] }, producers: [] })),
    closePeer: jest.fn(async () => undefined),
    closeRoom: jest.fn(async () => undefined),
    createTransport: jest.fn(async () => ({ id: `t${++n}`, iceParameters: {}, iceCandidates: [], dtlsParameters: {} })),
    produce: jest.fn(async () => ({ producerId: `p${++n}` })),
    consume: jest.fn(async (_e: string, _p: string, req: { producerId: string }) => ({ id: `c${++n}`, producerId: req.producerId, kind: 'audio', rtpParameters: {}, producerPaused: false })),
    setProducerPaused: jest.fn(async () => ({})),
    restartIce: jest.fn(async () => ({ iceParameters: { usernameFragment: 'new', password: 'pw' } })),
    closeProducer: jest.fn(async () => undefined),
    openEvents: jest.fn(() => events),
    room: jest.fn(async (engagementId: string) => ({ engagementId, workerPid: 1, peers: [] })),
  };
  return { sfu, events, client: sfu as unknown as SfuClient };
}
