// Loopback HTTP servers for the integration tests: `fixture` is allow-listed and serves the pages
// under test; `secret` stands for an internal service and counts every request that reaches it.
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';

export interface TestServer {
  port: number;
  origin: string;
  /** Requests (and WebSocket upgrades) that reached this server. */
  hits: string[];
  close(): Promise<void>;
}

const html = (title: string, body: string, head = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>${head}</head><body>${body}</body></html>`;

function pages(secretOrigin: () => string): Record<string, (url: URL, req: http.IncomingMessage, res: http.ServerResponse) => void> {
  const send = (res: http.ServerResponse, body: string, headers: http.OutgoingHttpHeaders = {}) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
  return {
    '/': (_u, _r, res) =>
      send(
        res,
        html(
          'Home',
          `<h1 style="font:40px sans-serif">Fixture home</h1>
<a id="next" href="/second" style="display:block;font-size:40px;padding:20px;background:#cde">Go to second</a>
<input id="name" style="font-size:30px;width:300px" placeholder="type here">
<div id="w"></div><script>document.getElementById('w').textContent = 'width ' + innerWidth;</script>`,
        ),
      ),
    '/second': (_u, _r, res) => send(res, html('Second page', '<h1>Second</h1>')),
    '/env': (_u, req, res) =>
      send(
        res,
        html(
          'Env',
          `<pre id="env"></pre><script>
window.__env = { innerWidth, innerHeight, dpr: devicePixelRatio, mobile: matchMedia('(max-width: 600px)').matches,
  coarse: matchMedia('(pointer: coarse)').matches, touch: 'ontouchstart' in window, maxTouchPoints: navigator.maxTouchPoints,
  language: navigator.language, tz: Intl.DateTimeFormat().resolvedOptions().timeZone, locale: Intl.DateTimeFormat().resolvedOptions().locale,
  ua: navigator.userAgent, acceptLanguage: ${JSON.stringify(req.headers['accept-language'] ?? '')}, headerUa: ${JSON.stringify(req.headers['user-agent'] ?? '')} };
document.getElementById('env').textContent = JSON.stringify(window.__env, null, 1);</script>`,
        ),
      ),
    '/set-cookie': (_u, _r, res) => send(res, html('Cookie set', 'set'), { 'set-cookie': 'sid=secret-cookie; Path=/; Max-Age=3600' }),
    '/cookies': (_u, req, res) => send(res, html('Cookies', `<pre id="c">${req.headers.cookie ?? ''}</pre>`)),
    '/redirect': (u, _r, res) => res.writeHead(302, { location: u.searchParams.get('to') ?? '/' }).end(),
    '/fetch': (u, _r, res) =>
      send(
        res,
        html(
          'Fetch',
          `<script>window.__result = fetch(${JSON.stringify(u.searchParams.get('to'))}).then(r => 'status ' + r.status, e => 'error ' + e.message);</script>`,
        ),
      ),
    '/ws': (u, _r, res) =>
      send(
        res,
        html(
          'WS',
          `<script>window.__result = new Promise((resolve) => { const ws = new WebSocket(${JSON.stringify(u.searchParams.get('to'))});
ws.onopen = () => resolve('open'); ws.onerror = () => resolve('error'); ws.onclose = () => resolve('closed'); });</script>`,
        ),
      ),
    '/anim': (_u, _r, res) =>
      send(
        res,
        html(
          'Anim',
          `<div id="box" style="position:absolute;width:120px;height:120px;background:#e33"></div><script>
let t = 0; (function step() { t++; const b = document.getElementById('box'); b.style.left = (t * 7 % 600) + 'px'; b.style.top = (t * 3 % 400) + 'px';
b.style.background = 'hsl(' + (t * 5 % 360) + ',80%,50%)'; requestAnimationFrame(step); })();</script>`,
        ),
      ),
    '/masked': (_u, _r, res) =>
      send(
        res,
        html(
          'Masked',
          `<h1 style="font:32px sans-serif">Account</h1>
<p class="card" style="font:32px sans-serif;background:#ffe">Card 4242 4242 4242 4242</p>
<input id="pw" type="password" value="hunter2hunter2" style="font-size:32px;width:400px">
<p style="font:32px sans-serif">Public text stays visible</p>`,
        ),
      ),
    '/hog': (_u, _r, res) =>
      send(res, html('Hog', `<script>const keep = []; setInterval(() => { for (let i = 0; i < 40; i++) keep.push(new Array(250000).fill(Math.random())); }, 20);</script>`)),
    '/busy': (_u, _r, res) => send(res, html('Busy', `<script>setTimeout(() => { for (;;) {} }, 100);</script>`)),
    '/popup': (_u, _r, res) =>
      send(res, html('Popup', `<a id="pop" href="/second" target="_blank" style="display:block;font-size:40px;padding:20px">open pop-up</a>`)),
    '/dialog': (_u, _r, res) => send(res, html('Dialog', `<script>setTimeout(() => { window.__answer = prompt('Your name?', 'anon'); }, 50);</script>`)),
    '/leave': (_u, _r, res) =>
      send(
        res,
        html(
          'Leave',
          `<a id="away" href="/second" style="display:block;font-size:40px;padding:20px">leave</a>
<script>addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'Stay?'; });</script>`,
        ),
      ),
    '/download': (_u, _r, res) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="x.bin"' }).end('bytes'),
    '/download-page': (_u, _r, res) => send(res, html('Download', `<a id="dl" href="/download" style="display:block;font-size:40px">download</a>`)),
    '/secret-link': (_u, _r, res) => send(res, html('Link', `<a id="s" href="${secretOrigin()}/" style="font-size:40px">secret</a>`)),
  };
}

export async function startServer(kind: 'fixture' | 'secret', secretOrigin: () => string = () => ''): Promise<TestServer> {
  const hits: string[] = [];
  const routes = pages(secretOrigin);
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (kind === 'secret') {
      res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' }).end('<h1>INTERNAL SECRET</h1>');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const route = routes[url.pathname];
    if (route) route(url, req, res);
    else res.writeHead(404).end('not found');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    hits.push(`UPGRADE ${req.url}`);
    wss.handleUpgrade(req, socket, head, (ws) => ws.send('hello'));
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: async () => {
      wss.close();
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
