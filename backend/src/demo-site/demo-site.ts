// A small demo shop ("Northwind Outfitters") that embeds the customer widget, served with
// node:http only so it can run beside the backend (DEMO_SITE_PORT) without touching it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PRODUCT_IDS } from './demo-catalog';
import {
  CART_COOKIE,
  SESSION_COOKIE,
  decodeCart,
  encodeCart,
  parseCookies,
  serializeCookie,
  signSession,
  verifySession,
} from './demo-cookies';
import { LAB_CSS, labFramePage, labPage, ordersApp } from './demo-dynamic';
import { avatarPng, idPhotoPng } from './demo-images';
import {
  type PageContext,
  SITE_CSS,
  accountPage,
  cartPage,
  checkoutPage,
  homePage,
  loginPage,
  notFoundPage,
  productsPage,
  securityPage,
} from './demo-pages';

const DEMO_PASSWORD = 'demo';
const MAX_FORM_BYTES = 16 * 1024;
const WEEK_SECONDS = 7 * 24 * 3600;

export async function startDemoSite(opts: { port: number; host: string; platformUrl: string }): Promise<{ url: string; close(): Promise<void> }> {
  const platformUrl = opts.platformUrl.replace(/\/+$/, '');
  const secret = randomBytes(32);
  // Drawn once: the signed-in customer's private images.
  const privateImages: Record<string, Buffer> = { '/account/avatar': avatarPng(), '/account/id-photo': idPhotoPng() };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Something went wrong.');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.local');
    const cookies = parseCookies(req);
    const ctx: PageContext = {
      platformUrl,
      user: verifySession(cookies[SESSION_COOKIE], secret),
      cart: decodeCart(cookies[CART_COOKIE], PRODUCT_IDS),
      path: url.pathname,
    };
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    // The order history is a single-page app: one shell for all of its routes.
    if (req.method === 'GET' && /^\/orders(\/[\w-]*)?\/?$/.test(url.pathname)) return html(res, ordersApp(ctx));
    switch (route) {
      case 'GET /':
        return html(res, homePage(ctx));
      case 'GET /products':
        return html(res, productsPage(ctx, url.searchParams.get('added')));
      case 'GET /cart':
        return html(res, cartPage(ctx));
      case 'GET /checkout':
        return html(res, checkoutPage(ctx));
      case 'GET /login':
        return html(res, loginPage(ctx, null, safeNext(url.searchParams.get('next'))));
      case 'GET /account':
        if (!ctx.user) return redirect(res, '/login?next=/account');
        return html(res, accountPage({ ...ctx, user: ctx.user }));
      case 'GET /account/security':
        if (!ctx.user) return redirect(res, '/login?next=/account/security');
        return html(res, securityPage({ ...ctx, user: ctx.user }));
      case 'GET /account/avatar':
      case 'GET /account/id-photo':
        // Behind the login like the account page: without the session cookie there is no image.
        if (!ctx.user) return send(res, 401, 'text/plain; charset=utf-8', 'Sign in to see this image.');
        return image(res, privateImages[url.pathname]);
      case 'GET /lab':
        return html(res, labPage(ctx));
      case 'GET /lab/frame':
        return html(res, labFramePage());
      case 'GET /site.css':
        res.setHeader('Cache-Control', 'public, max-age=300');
        return send(res, 200, 'text/css; charset=utf-8', SITE_CSS + LAB_CSS);
      case 'GET /favicon.ico':
        return send(res, 204, 'image/x-icon', '');
      case 'POST /cart/add': {
        const id = (await readForm(req)).get('id') ?? '';
        if (PRODUCT_IDS.has(id)) ctx.cart.set(id, Math.min((ctx.cart.get(id) ?? 0) + 1, 99));
        res.setHeader('Set-Cookie', serializeCookie(CART_COOKIE, encodeCart(ctx.cart), WEEK_SECONDS));
        return redirect(res, `/products?added=${encodeURIComponent(id)}`);
      }
      case 'POST /cart/remove': {
        ctx.cart.delete((await readForm(req)).get('id') ?? '');
        res.setHeader('Set-Cookie', serializeCookie(CART_COOKIE, encodeCart(ctx.cart), WEEK_SECONDS));
        return redirect(res, '/cart');
      }
      case 'POST /login': {
        const form = await readForm(req);
        const name = (form.get('name') ?? '').trim().slice(0, 60);
        const next = safeNext(form.get('next'));
        if (!name || form.get('password') !== DEMO_PASSWORD) {
          return html(res, loginPage(ctx, 'Wrong name or password. The demo password is "demo".', next), 401);
        }
        res.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, signSession(name, secret), WEEK_SECONDS));
        return redirect(res, next);
      }
      case 'POST /logout':
        await readForm(req);
        res.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', 0));
        return redirect(res, '/');
      default:
        return html(res, notFoundPage(ctx), 404);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Only same-site paths are followed after login, never another origin. */
function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/account';
}

function html(res: ServerResponse, body: string, status = 200): void {
  res.setHeader('Cache-Control', 'no-store');
  send(res, status, 'text/html; charset=utf-8', body);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function image(res: ServerResponse, png: Buffer): void {
  // Private to the signed-in customer: never in a shared cache.
  res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Length': png.length });
  res.end(png);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0 });
  res.end();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
