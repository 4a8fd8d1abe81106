// Pages of the proxy co-browse benchmark, served from the bench process on loopback:
// - /anim: a 1280×720 canvas redrawn on every animation frame (the fps and density load);
// - /click: a page whose whole background switches colour on each mousedown (click → changed pixel);
// - /static: a page of text that never changes (someone reading);
// - /viewer: the bench's viewer (fixtures/proxy-viewer.entry.js: EngageSocket + the desk panel's painting).
import { build } from 'esbuild';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

/** Background colours of /click, alternating from the first: what a changed pixel must become. */
export const CLICK_COLORS: ReadonlyArray<[number, number, number]> = [
  [230, 60, 40],
  [40, 90, 230],
];
/** The header band of /static (page CSS pixels): the first frame showing the page has this colour at STATIC_PROBE. */
export const STATIC_COLOR: [number, number, number] = [20, 120, 60];
export const STATIC_PROBE = { x: 640, y: 40 };

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;

const ANIM = `<!doctype html><html><head><meta charset="utf-8"><title>Anim</title>
<style>html,body{margin:0;overflow:hidden;background:#000}canvas{display:block}</style></head><body>
<canvas id="c" width="1280" height="720"></canvas><script>
const c = document.getElementById('c');
const g = c.getContext('2d');
const balls = Array.from({ length: 24 }, (_, i) => ({ x: (i * 211) % 1280, y: (i * 137) % 720, vx: 3 + (i % 5), vy: 2 + (i % 4), r: 20 + (i % 6) * 8, h: (i * 47) % 360 }));
let n = 0;
function draw() {
  n++;
  const grad = g.createLinearGradient(0, 0, 1280, 720);
  grad.addColorStop(0, 'hsl(' + (n % 360) + ',60%,35%)');
  grad.addColorStop(1, 'hsl(' + ((n + 180) % 360) + ',60%,55%)');
  g.fillStyle = grad;
  g.fillRect(0, 0, 1280, 720);
  for (const b of balls) {
    b.x += b.vx; b.y += b.vy;
    if (b.x < b.r || b.x > 1280 - b.r) b.vx = -b.vx;
    if (b.y < b.r || b.y > 720 - b.r) b.vy = -b.vy;
    g.beginPath(); g.arc(b.x, b.y, b.r, 0, 6.2832);
    g.fillStyle = 'hsl(' + ((b.h + n) % 360) + ',80%,60%)'; g.fill();
  }
  g.fillStyle = '#fff'; g.font = '28px sans-serif';
  for (let row = 0; row < 6; row++) g.fillText('frame ' + n + ' · row ' + row + ' · the quick brown fox', 40 + ((n * 2 + row * 90) % 400), 80 + row * 110);
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);
</script></body></html>`;

const CLICK = `<!doctype html><html><head><meta charset="utf-8"><title>Click</title>
<style>html,body{margin:0;height:100%;font:20px sans-serif}body{background:${rgb(CLICK_COLORS[0])}}p{margin:0;padding:20px;color:#fff}</style></head><body><p>Click anywhere: the page changes colour.</p><script>
const colors = ${JSON.stringify(CLICK_COLORS.map(rgb))};
let i = 0;
addEventListener('mousedown', () => { i = (i + 1) % colors.length; document.body.style.background = colors[i]; });
</script></body></html>`;

const STATIC = `<!doctype html><html><head><meta charset="utf-8"><title>Reading</title>
<style>html,body{margin:0;font:18px/1.5 serif;background:#fff;color:#222}header{height:80px;background:${rgb(STATIC_COLOR)}}main{padding:20px 60px;columns:2}</style></head>
<body><header></header><main>${Array.from({ length: 12 }, (_, i) => `<p>Paragraph ${i + 1}. A long, quiet article that nobody scrolls: terms, conditions and the small print of a product page, the kind of text a customer reads while the agent explains.</p>`).join('')}</main></body></html>`;

function viewerPage(bundle: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Proxy viewer</title>
<style>body{margin:0;background:#222}canvas{display:block;background:#fff}</style></head><body><script>${bundle.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
}

async function viewerBundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(ROOT, 'tools/bench/fixtures/proxy-viewer.entry.js')],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    tsconfig: path.join(ROOT, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

export interface ProxyBenchServer {
  origin: string;
  port: number;
  close(): Promise<void>;
}

export async function startProxyBenchServer(): Promise<ProxyBenchServer> {
  const viewer = viewerPage(await viewerBundle());
  const pages: Record<string, string> = { '/anim': ANIM, '/click': CLICK, '/static': STATIC, '/viewer': viewer };
  const server = http.createServer((req, res) => {
    const body = pages[(req.url ?? '/').split('?')[0]];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
