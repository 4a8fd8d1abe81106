// Pages and relay of the direct co-browse benchmark, served from the bench process:
// - /customer-plain, /customer-full, /customer-none: the same customer page (a marker text node the
//   bench changes every 50 ms, pointer moves recorded with their time), recorded by plain rrweb, by the
//   real widget.js + recorder.js from the backend, or not at all;
// - /viewer-plain: a plain rrweb Replayer (liveMode, startLive at the first event, no buffer) fed by
//   the bare ws relay below; /viewer-full: the real CobrowseViewer on a real EngageSocket;
// - /big-plain, /big-full: a generated 10,000-node page for the full-snapshot timing.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

export const ROOT = path.resolve(__dirname, '../../../..');
const RRWEB_UMD = path.join(ROOT, 'node_modules/rrweb/dist/rrweb.umd.cjs');

/** In the customer page: the marker ticks and the pointer log, on the absolute clock. */
const CUSTOMER_SCRIPT = `
window.bench = {
  sent: [],
  moves: [],
  seq: 0,
  /** Changes the marker text node every intervalMs, n times; the text carries its own send time. */
  ticks(n, intervalMs) {
    const node = document.getElementById('marker').firstChild;
    const sent = this.sent;
    let left = n;
    return new Promise((resolve) => {
      const id = setInterval(() => {
        const seq = window.bench.seq++;
        const t = performance.timeOrigin + performance.now();
        node.data = 'm' + seq + ' ' + t.toFixed(3);
        sent.push([seq, t]);
        if (--left <= 0) { clearInterval(id); resolve(true); }
      }, intervalMs);
    });
  },
  take() { const r = { sent: this.sent, moves: this.moves }; this.sent = []; this.moves = []; return r; },
  /** The overhead workload: DOM churn of a busy page, identical on every variant. */
  workload(iterations, gapMs) {
    const list = document.getElementById('work');
    const cells = Array.from(list.querySelectorAll('span'));
    let i = 0;
    return new Promise((resolve) => {
      const step = () => {
        for (let k = 0; k < 40; k++) cells[(i * 40 + k) % cells.length].firstChild.data = 'v' + i + '.' + k;
        for (let k = 0; k < 40; k++) cells[(i * 7 + k) % cells.length].parentElement.className = (i + k) % 2 ? 'odd' : 'even';
        for (let k = 0; k < 10; k++) {
          const li = document.createElement('li');
          li.innerHTML = '<b>row ' + i + '-' + k + '</b> <em>added</em> <span>x</span>';
          list.appendChild(li);
        }
        for (let k = 0; k < 10; k++) list.lastElementChild.remove();
        if (++i >= iterations) return resolve(true);
        setTimeout(step, gapMs);
      };
      step();
    });
  },
};
document.addEventListener('mousemove', (e) => window.bench.moves.push([e.clientX, e.clientY, performance.timeOrigin + performance.now()]), true);
`;

/** In a viewer page: every change of the replayed marker and of the replayed cursor, with its time. */
const OBSERVER_SCRIPT = `
window.obs = { marks: [], mouse: [] };
window.benchObserve = (getDoc) => {
  let doc = null, mo = null, last = '';
  const watchDoc = () => {
    const d = getDoc();
    if (d && d !== doc) {
      doc = d;
      if (mo) mo.disconnect();
      mo = new MutationObserver(() => {
        const t = performance.timeOrigin + performance.now();
        const m = d.getElementById('marker');
        const txt = m ? m.textContent : '';
        if (txt && txt !== last) { last = txt; window.obs.marks.push([txt, t]); }
      });
      mo.observe(d, { subtree: true, childList: true, characterData: true });
    }
  };
  setInterval(watchDoc, 10);
  watchDoc();
  let lx = '', ly = '';
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const r of records) {
      const el = r.target;
      if (!el.classList || !el.classList.contains('replayer-mouse')) continue;
      if (el.style.left !== lx || el.style.top !== ly) {
        lx = el.style.left; ly = el.style.top;
        window.obs.mouse.push([parseFloat(lx), parseFloat(ly), t]);
      }
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['style'] });
};
window.takeObs = () => { const r = window.obs; window.obs = { marks: [], mouse: [] }; return r; };
`;

const esc = (s: string) => s.replace(/<\/script/gi, '<\\/script');

function customerBody(): string {
  const items = Array.from({ length: 200 }, (_, i) => `<li class="even"><b>Item ${i}</b> <span>value ${i}</span></li>`).join('');
  return `<h1>Bench shop</h1><p>Latest: <span id="marker">waiting</span></p>
<div class="panel"><p>Something to look at while the agent watches: a list of things, changing.</p><ul id="work">${items}</ul></div>
<p id="end">bench-end</p>`;
}

function customerPage(kind: 'plain' | 'full' | 'none', backend: string, relay: string): string {
  const head = `<meta charset="utf-8"><title>Bench customer</title><style>body{font:14px sans-serif;margin:0;padding:16px;background:#fafafa}
.panel{background:#fff;border:1px solid #ccc;padding:8px;border-radius:6px} li.odd{color:#333} li.even{color:#114} ul{columns:4}</style>`;
  const rec =
    kind === 'plain'
      ? `<script src="/rrweb.js"></script><script>
window.startPlain = (sampling) => new Promise((resolve) => {
  const ws = new WebSocket(${JSON.stringify(relay)} + '?role=rec');
  ws.onopen = () => {
    window.stopPlain = rrweb.record({ emit: (e) => ws.send(JSON.stringify(e)), sampling });
    resolve(true);
  };
});</script>`
      : kind === 'full'
        ? `<script src="${backend}/widget.js" async></script>`
        : '';
  return `<!doctype html><html><head>${head}</head><body>${customerBody()}<script>${CUSTOMER_SCRIPT}</script>${rec}</body></html>`;
}

function viewerPlain(relay: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Plain viewer</title><style>body{margin:0} #view{width:1280px;height:800px;position:relative}</style></head>
<body><div id="view"></div><script src="/rrweb.js"></script><script>${OBSERVER_SCRIPT}</script><script>
// rrweb's live recipe without a buffer: the Replayer exists before the first event and startLive()
// starts its clock at "now" when that event arrives. (Starting it at the event's own timestamp, as
// this page once did, leaves the clock behind by that event's transit time: every later event then
// lands a little before it is due, misses the animation frame it asked for and waits a whole one,
// 16.7 ms, which made this floor vary from 5 to 25 ms between runs.) Customer and viewer share this
// machine's clock, so "now" is the recorder's time.
const replayer = new rrweb.Replayer([], { root: document.getElementById('view'), liveMode: true, mouseTail: false });
benchObserve(() => replayer.iframe.contentDocument);
let live = false;
const ws = new WebSocket(${JSON.stringify(relay)} + '?role=view');
ws.onmessage = (m) => {
  const e = JSON.parse(m.data);
  if (!live) {
    live = true;
    window.startLag = Date.now() - e.timestamp; // how late the first event arrived (transit)
    replayer.startLive();
  }
  replayer.addEvent(e);
};
window.viewerReady = () => new Promise((r) => (ws.readyState === 1 ? r(true) : ws.addEventListener('open', () => r(true))));
</script></body></html>`;
}

function viewerFull(bundle: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Desk viewer</title><style>body{margin:0} .view{width:1280px;height:800px}</style></head>
<body><script>${OBSERVER_SCRIPT}</script><script>${esc(bundle)}</script></body></html>`;
}

/** About 10,000 DOM nodes (elements, text, whitespace) in a product table. */
function bigPage(kind: 'plain' | 'full', backend: string): string {
  const rows = Array.from({ length: 1100 }, (_, i) => `<tr><td>${i}</td><td class="n">Product ${i}</td><td>${(i * 37) % 1000}.00</td><td><a href="#p${i}">open</a></td></tr>`).join('');
  const script =
    kind === 'plain'
      ? `<script src="/rrweb.js"></script>`
      : `<script src="${backend}/recorder.js"></script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>10k nodes</title></head><body><h1>Catalogue</h1><table><tbody>${rows}</tbody></table>${script}<script>
window.countNodes = () => { let n = 0; const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL); while (w.nextNode()) n++; return n + 1; };
</script></body></html>`;
}

export interface BenchServer {
  origin: string;
  relayUrl: string;
  /** Frames the plain recorder sent through the relay, with the time they arrived. */
  relayed: Array<{ at: number; data: string }>;
  setBackend(url: string): void;
  close(): Promise<void>;
}

async function viewerBundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'tools/bench/fixtures/direct-viewer.entry.js')],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    tsconfig: path.join(ROOT, 'libs/cobrowse-viewer/tsconfig.json'),
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

export async function startBenchServer(): Promise<BenchServer> {
  const rrweb = readFileSync(RRWEB_UMD, 'utf8');
  const bundle = await viewerBundle();
  let backend = '';
  let relayUrl = '';
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    const page: Record<string, () => string> = {
      '/customer-plain': () => customerPage('plain', backend, relayUrl),
      '/customer-full': () => customerPage('full', backend, relayUrl),
      '/customer-none': () => customerPage('none', backend, relayUrl),
      '/viewer-plain': () => viewerPlain(relayUrl),
      '/viewer-full': () => viewerFull(bundle),
      '/big-plain': () => bigPage('plain', backend),
      '/big-full': () => bigPage('full', backend),
    };
    if (p === '/rrweb.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' });
      res.end(rrweb);
      return;
    }
    const body = page[p]?.();
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The bare relay: every frame from the recorder goes to every viewer, untouched.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', r));
  relayUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const viewers = new Set<WebSocket>();
  const relayed: BenchServer['relayed'] = [];
  wss.on('connection', (ws, req) => {
    if ((req.url ?? '').includes('role=view')) {
      viewers.add(ws);
      ws.on('close', () => viewers.delete(ws));
      return;
    }
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? data : data.toString();
      for (const v of viewers) v.send(text);
      relayed.push({ at: Date.now(), data: text.toString() });
    });
  });

  return {
    origin,
    relayUrl,
    relayed,
    setBackend: (url) => void (backend = url),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
