import { inflateSync } from 'node:zlib';
import { AVATAR_BACKGROUND, AVATAR_DISC, AVATAR_SIZE, ID_PHOTO_SIZE, avatarPng } from './demo-images';
import { startDemoSite } from './demo-site';

describe('demo site', () => {
  let site: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    site = await startDemoSite({ port: 0, host: '127.0.0.1', platformUrl: 'http://platform.test:3300/' });
  });
  afterAll(() => site.close());

  const get = (path: string, cookie = '') => fetch(`${site.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const post = (path: string, form: Record<string, string>, cookie = '') =>
    fetch(`${site.url}${path}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0];

  it.each(['/', '/products', '/cart', '/login', '/checkout'])('serves %s with nav, cart count and the widget script', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const body = await res.text();
    expect(body).toContain('Northwind Outfitters');
    expect(body).toContain('<nav aria-label="Main">');
    expect(body).toContain('Cart (<span data-testid="cart-count">0</span>)');
    expect(body).toContain('Not signed in');
    expect(body).toContain('<script src="http://platform.test:3300/widget.js" data-cobrowse-protected="/account/security*,/orders/payment*" async></script>');
  });

  it('checkout has the sensitive fields the co-browse privacy rules will mask', async () => {
    const body = await (await get('/checkout')).text();
    expect(body).toContain('autocomplete="cc-number"');
    expect(body).toMatch(/name="cvc" type="password"/);
    expect(body).toContain('<textarea name="note"');
    expect(body).toContain('Place order');
  });

  it('redirects /account to the login page when signed out', async () => {
    const res = await get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=/account');
  });

  it('refuses a wrong password and signs in with "demo"', async () => {
    const wrong = await post('/login', { name: 'Ada', password: 'nope', next: '/account' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const ok = await post('/login', { name: 'Ada <b>', password: 'demo', next: '/account' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/account');
    const session = cookieOf(ok);
    expect(session).toMatch(/^nw_session=/);
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/);

    const account = await (await get('/account', session)).text();
    expect(account).toContain('Signed in as <strong>Ada &lt;b&gt;</strong>');
  });

  it('marks what co-browsing must hide on /account and protects /account/security', async () => {
    const session = cookieOf(await post('/login', { name: 'Ada', password: 'demo' }));
    const account = await (await get('/account', session)).text();
    expect(account).toContain('Signed in as <strong>Ada</strong>');
    expect(account).toMatch(/<section class="panel" data-cobrowse="private"[^>]*>[\s\S]*Saved payment methods[\s\S]*4111 1111 1111 1111/);
    expect(account).toMatch(/<span data-cobrowse="mask"[^>]*>\+1 555 0142 7788<\/span>/);
    expect(account).toContain('href="/account/security"');

    const security = await get('/account/security', session);
    expect(security.status).toBe(200);
    const body = await security.text();
    expect(body).toContain('data-cobrowse="protected"');
    expect(body).toContain('Signed in as <strong>Ada</strong>');
    expect(body).toContain('Cart (<span data-testid="cart-count">0</span>)');

    const signedOut = await get('/account/security');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/login?next=/account/security');
  });

  it('serves the avatar and the photo ID only with the session cookie (401 without), PNGs of known colours', async () => {
    const session = cookieOf(await post('/login', { name: 'Ada', password: 'demo' }));
    const account = await (await get('/account', session)).text();
    expect(account).toContain('<img class="avatar" src="/account/avatar"');
    // The photo ID sits in a masked panel: co-browse never inlines it for the agent.
    expect(account).toMatch(/<section class="panel" data-cobrowse="mask"[^>]*>[\s\S]*?<img src="\/account\/id-photo"/);

    for (const [path, size] of [['/account/avatar', [AVATAR_SIZE, AVATAR_SIZE]], ['/account/id-photo', [ID_PHOTO_SIZE.width, ID_PHOTO_SIZE.height]]] as const) {
      const denied = await get(path);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toMatch(/^text\/plain/);
      const tampered = await get(path, `${session.slice(0, -3)}xyz`);
      expect(tampered.status).toBe(401);

      const ok = await get(path, session);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('image/png');
      expect(ok.headers.get('cache-control')).toBe('private, no-store');
      const bytes = Buffer.from(await ok.arrayBuffer());
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual(size);
    }
  });

  it('draws the avatar as a disc on a background (corner and centre colours)', () => {
    const png = avatarPng();
    // One IDAT, unfiltered RGB rows: inflate and read two pixels.
    const idat = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const pixel = (x: number, y: number) => [...raw.subarray(y * (AVATAR_SIZE * 3 + 1) + 1 + x * 3, y * (AVATAR_SIZE * 3 + 1) + 4 + x * 3)];
    expect(pixel(2, 2)).toEqual([...AVATAR_BACKGROUND]);
    expect(pixel(AVATAR_SIZE / 2, AVATAR_SIZE / 2)).toEqual([...AVATAR_DISC]);
  });

  it('ignores a tampered session cookie', async () => {
    const ok = await post('/login', { name: 'Ada', password: 'demo' });
    const [name, value] = cookieOf(ok).split('=');
    const forged = `${name}=${encodeURIComponent(Buffer.from('Mallory').toString('base64url') + decodeURIComponent(value).slice(decodeURIComponent(value).indexOf('.')))}`;
    expect((await get('/account', forged)).status).toBe(303);
  });

  it('never redirects off-site after login', async () => {
    const res = await post('/login', { name: 'Ada', password: 'demo', next: '//evil.example/' });
    expect(res.headers.get('location')).toBe('/account');
  });

  it('keeps the cart in a cookie the server reads', async () => {
    const first = await post('/cart/add', { id: 'camp-mug' });
    expect(first.status).toBe(303);
    let cart = cookieOf(first);
    expect(decodeURIComponent(cart)).toBe('nw_cart=camp-mug:1');

    const second = await post('/cart/add', { id: 'camp-mug' }, cart);
    cart = cookieOf(second);
    const third = await post('/cart/add', { id: 'day-pack' }, cart);
    cart = cookieOf(third);
    expect(decodeURIComponent(cart)).toBe('nw_cart=camp-mug:2,day-pack:1');

    const page = await (await get('/cart', cart)).text();
    expect(page).toContain('Cart (<span data-testid="cart-count">3</span>)');
    expect(page).toContain('Enamel Camp Mug');
    expect(page).toContain('$107.00');

    const removed = await post('/cart/remove', { id: 'camp-mug' }, cart);
    expect(decodeURIComponent(cookieOf(removed))).toBe('nw_cart=day-pack:1');
  });

  it('drops unknown products from the cart cookie', async () => {
    const page = await (await get('/cart', 'nw_cart=nope:3,camp-mug:x,day-pack:2')).text();
    expect(page).toContain('Cart (<span data-testid="cart-count">2</span>)');
  });

  it.each(['/orders', '/orders/', '/orders/NW-10042', '/orders/payment'])('serves the order-history app shell for %s (routes render in the browser)', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('<div id="orders-app"');
    expect(body).toContain('history.pushState');
    expect(body).toContain('var COUNT = 500;');
    expect(body).toContain('<a href="/orders" aria-current="page">Orders</a>'.replace(' aria-current="page"', path === '/orders' ? ' aria-current="page"' : ''));
  });

  it('does not take /orders-something or deeper paths for the app', async () => {
    expect((await get('/ordersx')).status).toBe(404);
    expect((await get('/orders/a/b')).status).toBe(404);
  });

  it('serves the live lab: a web component, a same-origin iframe, canvases (one private) and an animation', async () => {
    const lab = await (await get('/lab')).text();
    expect(lab).toContain("attachShadow({ mode: 'open' })");
    expect(lab).toContain('<iframe src="/lab/frame"');
    expect(lab).toMatch(/<canvas id="swatch"/);
    expect(lab).toMatch(/<canvas id="signature"[^>]*data-cobrowse="private"/);
    expect(lab).toContain('class="pulse"');
    expect(lab).toContain('/widget.js');
    const frame = await get('/lab/frame');
    expect(frame.status).toBe(200);
    const frameBody = await frame.text();
    expect(frameBody).toContain('Selected size');
    expect(frameBody).not.toContain('widget.js'); // the parent page's snippet records the frame
    const css = await (await get('/site.css')).text();
    expect(css).toContain('@keyframes nw-pulse');
  });

  it('answers 404 with the shop layout', async () => {
    const res = await get('/nowhere');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Page not found');
  });
});
