// The SFU bench's receivers on a thread of their own (the other core): every non-sampled consumer
// sends here and gets transport-cc feedback back, as a browser would answer, without the work
// slowing down the main thread that sends the producer's packets and times the sampled ones.
import { parentPort } from 'node:worker_threads';
import { FeedbackSink, type SinkConsumer } from './rtcp-feedback';

export type SinkRequest = { type: 'add'; consumers: SinkConsumer[] } | { type: 'count' } | { type: 'close' };
export type SinkReply = { type: 'ready'; port: number } | { type: 'added' } | { type: 'count'; received: number; feedback: number };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('sfu-sink-thread runs as a worker thread');
  const sink = await FeedbackSink.open({ intervalMs: 100 });
  const ssrcs: number[] = [];
  port.on('message', (m: SinkRequest) => {
    if (m.type === 'add') {
      for (const c of m.consumers) {
        sink.add(c);
        ssrcs.push(c.ssrc);
      }
      port.postMessage({ type: 'added' } satisfies SinkReply);
    } else if (m.type === 'count') {
      const received = ssrcs.reduce((n, s) => n + sink.received(s), 0);
      port.postMessage({ type: 'count', received, feedback: sink.feedbackSent } satisfies SinkReply);
    } else {
      sink.close();
      port.close();
    }
  });
  port.postMessage({ type: 'ready', port: sink.port } satisfies SinkReply);
}

void main();
