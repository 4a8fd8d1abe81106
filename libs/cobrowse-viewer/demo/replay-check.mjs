// Records a demo page with rrweb in one browser context and replays it live with CobrowseViewer
// in another, through a stand-in socket. Checks text, navigation, no-script and the lifecycle.
// Run from the repo root: bash tools/with-node.sh node libs/cobrowse-viewer/demo/replay-check.mjs
import { build } from 'esbuild';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const root = path.resolve(import.meta.dirname, '../../..');
const shots = path.join(root, 'tmp/screens');
fs.mkdirSync(shots, { recursive: true });
const bundle = await build({
  entryPoints: [path.join(import.meta.dirname, 'entry.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  tsconfig: path.join(root, 'libs/cobrowse-viewer/tsconfig.json'),
  logLevel: 'warning',
});
const viewerJs = bundle.outputFiles[0].text;

const pages = {
  '/': `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title><style>body{font:16px sans-serif;margin:0;background:#fafafa}
    header{background:#1d5bd0;color:#fff;padding:16px 24px} main{padding:24px} .card{background:#fff;border:1px solid #ccc;padding:16px;border-radius:8px;width:300px}</style></head>
    <body><header><b>Demo shop</b> · Signed in as Dana</header><main><h1>Products</h1><div class="card"><p>Blue kettle</p><button id="add">Add to cart</button></div>
    <p id="cart">Cart (0)</p><input name="card" placeholder="Card number"></main></body></html>`,
  '/checkout': `<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title></head><body style="font:16px sans-serif;padding:24px"><h1>Checkout</h1><p>Card number</p></body></html>`,
  '/viewer': `<!doctype html><html><head><meta charset="utf-8"><title>Viewer</title><style>body{margin:0;font:14px sans-serif} #view{width:640px;height:420px;border:2px solid #333;margin:20px;background:#d5dae2}</style></head>
    <body><div id="view"></div><script>${viewerJs.replace(/<\/script/g, '<\\/script')}</script></body></html>`,
};
const server = http.createServer((req, res) => {
  const body = pages[req.url.split('?')[0]];
  res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' });
  res.end(body ?? 'not found');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const until = async (fn, what, timeout = 5000) => {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeout) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  check(false, `${what} (last: ${JSON.stringify(last)})`);
  return last;
};

try {
  const customerCtx = await browser.createBrowserContext();
  const agentCtx = await browser.createBrowserContext();
  const customer = await customerCtx.newPage();
  await customer.setViewport({ width: 1280, height: 800 });
  const agent = await agentCtx.newPage();
  await agent.setViewport({ width: 700, height: 480 });

  const recorded = [];
  let sink = (events) => recorded.push(...events);
  await customer.exposeFunction('__emit', (e) => sink([e]));
  const record = async () => {
    await customer.addScriptTag({ path: path.join(root, 'node_modules/rrweb/dist/rrweb.umd.cjs') });
    await customer.evaluate(() => {
      window.rrweb.record({ emit: (e) => window.__emit(e), maskAllInputs: true, sampling: { mousemove: 50 } });
    });
  };
  await customer.goto(`${origin}/`, { waitUntil: 'load' });
  await record();
  await until(() => recorded.some((e) => e.type === 2), 'the recorder took a full snapshot');

  await agent.goto(`${origin}/viewer`, { waitUntil: 'load' });
  agent.on('pageerror', (e) => console.log('[viewer page error]', e.message));
  // The checkpoint is what happened so far; afterwards events go live, one by one, as they come.
  await agent.evaluate((cp) => window.harness.setCheckpoint(cp), recorded.splice(0));
  await agent.evaluate(() => window.harness.open());
  sink = (events) => void agent.evaluate((ev) => window.harness.push(ev), events).catch(() => undefined);
  const text = await until(async () => (await agent.evaluate(() => window.harness.text()))?.includes('Signed in as Dana') && (await agent.evaluate(() => window.harness.text())), 'the replay shows the page');
  check(/Blue kettle/.test(text ?? ''), 'replayed text matches the customer page');
  check((await agent.evaluate(() => window.harness.sandbox())) === 'allow-same-origin', 'the replay iframe is sandboxed without allow-scripts');
  check((await agent.evaluate(() => window.harness.status())) === 'live', 'viewer status is live');
  const transform = await agent.evaluate(() => window.harness.transform());
  check(/scale\(0\.5\)/.test(transform ?? ''), `the 1280x800 page is scaled to fit 640x420 (${transform})`);

  // Live changes apply as they come, without a buffer.
  const t0 = Date.now();
  await customer.evaluate(() => {
    document.getElementById('cart').textContent = 'Cart (1)';
  });
  await until(async () => (await agent.evaluate(() => window.harness.text()))?.includes('Cart (1)'), 'a live change shows');
  console.log(`     live change visible after ${Date.now() - t0} ms`);
  await customer.mouse.move(200, 150);
  await customer.mouse.move(600, 300, { steps: 10 });
  await customer.type('input[name="card"]', '4000 0566');
  await new Promise((r) => setTimeout(r, 900));
  const mouse = await agent.evaluate(() => {
    const m = document.querySelector('.replayer-mouse');
    return m ? { left: m.style.left, top: m.style.top, bg: getComputedStyle(m).backgroundImage.slice(0, 30) } : null;
  });
  check(!!mouse && mouse.left !== '' && mouse.bg.startsWith('url('), `the customer's cursor is drawn (${JSON.stringify(mouse)})`);
  await agent.screenshot({ path: path.join(shots, 'viewer-products.png') });

  // Navigation: a new Meta + FullSnapshot from the next page, same viewer, same iframe.
  await customer.goto(`${origin}/checkout`, { waitUntil: 'load' });
  await customer.setViewport({ width: 390, height: 844 });
  await record();
  await until(async () => (await agent.evaluate(() => window.harness.text()))?.includes('Checkout'), 'the replay follows to the next page');
  check((await agent.evaluate(() => window.harness.frameCount())) === 1, 'one replay iframe after navigation');
  const t2 = await until(async () => {
    const t = await agent.evaluate(() => window.harness.transform());
    return /scale\(0\.49/.test(t ?? '') && t;
  }, 'the phone viewport is refitted (420/844)');
  console.log(`     phone transform: ${t2}`);
  await agent.screenshot({ path: path.join(shots, 'viewer-checkout-phone.png') });

  // Forged events: a page with a script and an img onerror, then a mutation adding a script.
  const now = Date.now() + 60_000;
  const forged = [
    { type: 4, timestamp: now, data: { href: 'http://evil/', width: 800, height: 600 } },
    {
      type: 2,
      timestamp: now + 1,
      data: {
        initialOffset: { top: 0, left: 0 },
        node: {
          type: 0, id: 1, childNodes: [
            { type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: [
              { type: 2, id: 3, tagName: 'head', attributes: {}, childNodes: [
                { type: 2, id: 4, tagName: 'script', attributes: {}, childNodes: [{ type: 3, id: 5, textContent: 'window.top.__canary = "script"; window.__canary = "script";' }] },
              ] },
              { type: 2, id: 6, tagName: 'body', attributes: { onload: 'window.top.__canary="onload"' }, childNodes: [
                { type: 3, id: 7, textContent: 'Forged page' },
                { type: 2, id: 8, tagName: 'img', attributes: { src: 'x:nothing', onerror: 'window.top.__canary="onerror"; window.__canary="onerror"' }, childNodes: [] },
                { type: 2, id: 9, tagName: 'a', attributes: { href: 'javascript:window.top.__canary="href"' }, childNodes: [{ type: 3, id: 10, textContent: 'link' }] },
              ] },
            ] },
          ],
        },
      },
    },
    {
      type: 3,
      timestamp: now + 2,
      data: {
        source: 0, texts: [], attributes: [], removes: [],
        adds: [
          { parentId: 6, nextId: null, node: { type: 2, id: 20, tagName: 'script', attributes: { src: `${origin}/nothing.js` }, childNodes: [] } },
          { parentId: 6, nextId: null, node: { type: 2, id: 21, tagName: 'iframe', attributes: { srcdoc: '<script>window.top.__canary="srcdoc"</script>' }, childNodes: [] } },
          { parentId: 6, nextId: null, node: { type: 2, id: 22, tagName: 'img', attributes: { src: 'x:again', onerror: 'window.top.__canary="mutation-onerror"' }, childNodes: [] } },
        ],
      },
    },
  ];
  await agent.evaluate((ev) => window.harness.push(ev), forged);
  await until(async () => (await agent.evaluate(() => window.harness.text()))?.includes('Forged page'), 'the forged page is replayed (as inert DOM)');
  await new Promise((r) => setTimeout(r, 800));
  const canary = await agent.evaluate(() => {
    const f = document.querySelector('#view iframe');
    let inner;
    try {
      inner = f.contentWindow.__canary;
    } catch {
      inner = 'inaccessible';
    }
    return { top: window.__canary ?? null, inner: inner ?? null };
  });
  check(canary.top === null && canary.inner === null, `no forged script ran (canary ${JSON.stringify(canary)})`);
  check((await agent.evaluate(() => window.harness.sandbox())) === 'allow-same-origin', 'the sandbox is unchanged after forged events');
  await agent.screenshot({ path: path.join(shots, 'viewer-forged.png') });

  // Lifecycle: close() unwatches, removes listeners and the frame, and is idempotent.
  await agent.evaluate(() => window.harness.close());
  await agent.evaluate(() => window.harness.closeAgain());
  const after = await agent.evaluate(() => ({
    status: window.harness.status(),
    listeners: window.harness.listenerCount(),
    frames: window.harness.frameCount(),
    requests: window.harness.requests(),
  }));
  check(after.status === 'closed' && after.listeners === 0 && after.frames === 0, `close() cleans up (${JSON.stringify(after)})`);
  check(after.requests.filter((r) => r === 'cobrowse/unwatch').length === 1, 'close() unwatches exactly once');
} finally {
  await browser.close();
  server.close();
}
console.log(failures.length ? `\n${failures.length} check(s) failed` : '\nall checks passed');
process.exit(failures.length ? 1 : 0);
