/** For specs: a stand-in for the SFU's GET /events (server-sent events), without mediasoup. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SfuNotification } from '@engage/protocol';

/** A stand-in for the SFU's GET /events: checks the bearer secret, keeps the open streams. */
export async function fakeSfuEvents(secret: string) {
  const streams: http.ServerResponse[] = [];
  let opened = 0;
  let requests = 0;
  let refuse = false;
  let refuseSecret = false;
  const server = http.createServer((req, res) => {
    if (req.url === '/events') requests++;
    if (req.url !== '/events' || req.headers.authorization !== `Bearer ${secret}` || refuseSecret || refuse) {
      res.writeHead(refuse ? 503 : 401).end();
      return;
    }
    opened++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    streams.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get opened() {
      return opened;
    },
    /** Every GET /events, refused ones included. */
    get requests() {
      return requests;
    },
    /** Answer 503 (an SFU that is starting or failing). */
    set refuse(v: boolean) {
      refuse = v;
    },
    /** Answer 401 even to the right secret (as an SFU started with another SFU_SECRET does). */
    set refuseSecret(v: boolean) {
      refuseSecret = v;
    },
    send(n: SfuNotification, split = false) {
      const text = `event: ${n.type}\ndata: ${JSON.stringify(n)}\n\n`;
      for (const res of streams) {
        if (split) {
          // One event across two chunks: the reader must join them.
          res.write(text.slice(0, 10));
          res.write(text.slice(10));
        } else res.write(text);
      }
    },
    dropAll() {
      for (const res of streams.splice(0)) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams.splice(0)) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
