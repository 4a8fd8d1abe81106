// HTML of the demo shop "Northwind Outfitters". Plain templates; every value is escaped.
import { PRODUCTS, type Product, findProduct, formatPrice } from './demo-catalog';
import { type Cart, cartCount } from './demo-cookies';

export interface PageContext {
  platformUrl: string;
  user: string | null;
  cart: Cart;
  path: string;
}

export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const MOUNTAIN = '<svg class="logo" viewBox="0 0 32 20" aria-hidden="true"><path d="M0 20 11 4l5 7 4-5 12 14z" fill="currentColor"/></svg>';

function tile(p: Product): string {
  return `<div class="tile" style="background:${p.color}" aria-hidden="true">${MOUNTAIN}<span>${esc(p.label)}</span></div>`;
}

const NAV: ReadonlyArray<[string, string]> = [
  ['/', 'Home'],
  ['/products', 'Products'],
  ['/checkout', 'Checkout'],
  ['/orders', 'Orders'],
  ['/account', 'Account'],
];

/** Pages the widget never shares (its script tag carries them; the pages also carry the marker). */
export const PROTECTED_PAGES: readonly string[] = ['/account/security*', '/orders/payment*'];

export function layout(ctx: PageContext, title: string, main: string): string {
  const links = NAV.map(([href, label]) => `<a href="${href}"${ctx.path === href ? ' aria-current="page"' : ''}>${label}</a>`).join('');
  const who = ctx.user
    ? `<span class="who" data-testid="signed-in">Signed in as <strong>${esc(ctx.user)}</strong></span>
       <form method="post" action="/logout" class="inline"><button class="link" type="submit">Sign out</button></form>`
    : `<span class="who" data-testid="signed-in">Not signed in</span> <a href="/login">Sign in</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Northwind Outfitters</title>
<link rel="stylesheet" href="/site.css">
</head>
<body>
<header class="top">
  <div class="bar">
    <a class="brand" href="/">${MOUNTAIN} Northwind Outfitters</a>
    <nav aria-label="Main">${links}<a href="/cart" data-testid="cart-link"${ctx.path === '/cart' ? ' aria-current="page"' : ''}>Cart (<span data-testid="cart-count">${cartCount(ctx.cart)}</span>)</a></nav>
    <div class="user">${who}</div>
  </div>
</header>
<main>
${main}
</main>
<footer class="foot">Northwind Outfitters is a demo shop. Nothing here is for sale.</footer>
<script src="${esc(ctx.platformUrl)}/widget.js" data-cobrowse-protected="${esc(PROTECTED_PAGES.join(','))}" async></script>
</body>
</html>`;
}

export function homePage(ctx: PageContext): string {
  return layout(
    ctx,
    'Home',
    `<section class="hero">
  <h1>Gear for the long way round</h1>
  <p>Jackets, boots and packs tested on real trails. Questions about sizing or delivery? Our team is one click away — use the chat button in the corner.</p>
  <a class="button" href="/products">Shop the collection</a>
</section>
<section class="grid">
  ${PRODUCTS.slice(0, 3).map((p) => `<article class="card">${tile(p)}<h2>${esc(p.name)}</h2><p>${esc(p.blurb)}</p></article>`).join('\n  ')}
</section>`,
  );
}

export function productsPage(ctx: PageContext, addedId: string | null): string {
  const added = addedId ? findProduct(addedId) : undefined;
  return layout(
    ctx,
    'Products',
    `<h1>Products</h1>
${added ? `<p class="notice" role="status">Added <strong>${esc(added.name)}</strong> to your cart.</p>` : ''}
<section class="grid">
${PRODUCTS.map(
  (p) => `  <article class="card" data-testid="product">
    ${tile(p)}
    <h2>${esc(p.name)}</h2>
    <p>${esc(p.blurb)}</p>
    <p class="price">${formatPrice(p.priceCents)}</p>
    <form method="post" action="/cart/add"><input type="hidden" name="id" value="${esc(p.id)}"><button type="submit" data-testid="add-to-cart">Add to cart</button></form>
  </article>`,
).join('\n')}
</section>`,
  );
}

export function cartPage(ctx: PageContext): string {
  const lines = [...ctx.cart].flatMap(([id, qty]) => {
    const p = findProduct(id);
    return p ? [{ p, qty }] : [];
  });
  const total = lines.reduce((sum, { p, qty }) => sum + p.priceCents * qty, 0);
  const body = lines.length
    ? `<table class="cart">
  <thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col">Price</th><th scope="col"><span class="sr">Remove</span></th></tr></thead>
  <tbody>
  ${lines
    .map(
      ({ p, qty }) =>
        `<tr data-testid="cart-line"><td>${esc(p.name)}</td><td>${qty}</td><td>${formatPrice(p.priceCents * qty)}</td><td><form method="post" action="/cart/remove"><input type="hidden" name="id" value="${esc(p.id)}"><button class="link" type="submit" aria-label="Remove ${esc(p.name)}">Remove</button></form></td></tr>`,
    )
    .join('\n  ')}
  </tbody>
  <tfoot><tr><th scope="row" colspan="2">Total</th><td data-testid="cart-total">${formatPrice(total)}</td><td></td></tr></tfoot>
</table>
<p class="actions"><a class="button" href="/checkout">Go to checkout</a></p>`
    : `<p>Your cart is empty. <a href="/products">Browse products</a>.</p>`;
  return layout(ctx, 'Cart', `<h1>Your cart</h1>\n${body}`);
}

export function loginPage(ctx: PageContext, error: string | null, next: string): string {
  return layout(
    ctx,
    'Sign in',
    `<h1>Sign in</h1>
<form method="post" action="/login" class="panel form">
  ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
  <input type="hidden" name="next" value="${esc(next)}">
  <label>Name <input name="name" autocomplete="username" required maxlength="60"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <p class="hint">Demo: any name, password <code>demo</code>.</p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export function accountPage(ctx: PageContext & { user: string }): string {
  return layout(
    ctx,
    'Account',
    `<h1>Your account</h1>
<section class="panel profile">
  <img class="avatar" src="/account/avatar" width="96" height="96" alt="Your avatar" data-testid="account-avatar">
  <p data-testid="account-name">Signed in as <strong>${esc(ctx.user)}</strong></p>
  <p>Phone: <span data-cobrowse="mask" data-testid="account-phone">+1 555 0142 7788</span></p>
  <p>No past orders yet. Items in your cart: ${cartCount(ctx.cart)}.</p>
</section>
<section class="panel" data-cobrowse="private" data-testid="saved-cards" aria-labelledby="cards-title">
  <h2 id="cards-title">Saved payment methods</h2>
  <p class="card-line">Visa <span data-testid="saved-card-number">4111 1111 1111 1111</span> · expires 08/29</p>
</section>
<section class="panel" data-cobrowse="mask" data-testid="id-on-file">
  <h2>Photo ID on file</h2>
  <img src="/account/id-photo" width="120" height="80" alt="Your photo ID" data-testid="id-photo">
</section>
<section class="panel">
  <h2>Security</h2>
  <p><a href="/account/security" data-testid="security-link">Password and sign-in security</a></p>
</section>`,
  );
}

export function securityPage(ctx: PageContext & { user: string }): string {
  return layout(
    ctx,
    'Security',
    `<h1>Password and security</h1>
<section class="panel form" data-cobrowse="protected">
  <p data-testid="account-name">Signed in as <strong>${esc(ctx.user)}</strong></p>
  <p class="hint">This page is never shared with our team, even during co-browsing.</p>
  <p>Recovery code: <code data-testid="recovery-code">K7QF-22MX-90LD</code></p>
  <form method="post" action="/account/security" class="form" onsubmit="event.preventDefault()">
    <label>Current password <input name="current" type="password" autocomplete="current-password"></label>
    <label>New password <input name="next" type="password" autocomplete="new-password"></label>
    <button type="submit">Change password</button>
  </form>
</section>
<p><a href="/account">Back to your account</a></p>`,
  );
}

export function checkoutPage(ctx: PageContext): string {
  return layout(
    ctx,
    'Checkout',
    `<h1>Checkout</h1>
<!-- data-cobrowse="allow": the fields an agent may fill in under remote control (never e-mail or payment). -->
<form id="checkout" class="panel form" novalidate>
  <label>Full name <input name="fullName" autocomplete="name" value="${esc(ctx.user ?? '')}" required data-cobrowse="allow"></label>
  <label>E-mail <input name="email" type="email" autocomplete="email" required></label>
  <label>Delivery note <textarea name="note" rows="3" placeholder="Leave at the back door…" data-cobrowse="allow"></textarea></label>
  <div class="row">
    <label>Card number <input name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242"></label>
    <label>CVC <input name="cvc" type="password" inputmode="numeric" autocomplete="cc-csc" maxlength="4"></label>
  </div>
  <button type="submit" data-testid="place-order">Place order</button>
</form>
<section id="confirmation" class="panel notice" role="status" hidden data-testid="order-confirmation">
  <h2>Thank you!</h2>
  <p>Your order <strong id="order-no"></strong> is confirmed. A receipt is on its way.</p>
</section>
<script>
document.getElementById('checkout').addEventListener('submit', function (e) {
  e.preventDefault();
  this.hidden = true;
  document.getElementById('order-no').textContent = 'NW-' + Math.floor(100000 + Math.random() * 900000);
  document.getElementById('confirmation').hidden = false;
});
</script>`,
  );
}

export function notFoundPage(ctx: PageContext): string {
  return layout(ctx, 'Not found', `<h1>Page not found</h1><p><a href="/">Back to the shop</a></p>`);
}

export const SITE_CSS = `
*,*::before,*::after{box-sizing:border-box}
:root{--ink:#1d2a26;--muted:#5b6b66;--bg:#f6f4ef;--card:#fff;--accent:#2f6f5e;--line:#e2ded4}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
.top{background:#1d2a26;color:#f6f4ef}
.bar{max-width:1080px;margin:0 auto;padding:12px 20px;display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center}
.brand{color:#fff;font-weight:700;font-size:1.15rem;text-decoration:none;margin-right:auto}
nav{display:flex;flex-wrap:wrap;gap:4px}
nav a{color:#dfe9e5;text-decoration:none;padding:6px 10px;border-radius:6px}
nav a:hover,nav a[aria-current]{background:#2f4a42;color:#fff}
.user{font-size:.9rem;color:#c9d6d1;display:flex;gap:8px;align-items:center}
.user a{color:#fff}
.inline{display:inline}
main{max-width:1080px;margin:0 auto;padding:24px 20px 96px}
.hero{background:linear-gradient(120deg,#2f6f5e,#3b5b92);color:#fff;border-radius:14px;padding:40px 32px;margin-bottom:24px}
.hero h1{margin:0 0 8px;font-size:2.2rem}
.hero p{max-width:560px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:18px}
.card,.panel{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px}
.card h2{font-size:1.1rem;margin:12px 0 4px}
.card p{color:var(--muted);margin:4px 0 12px}
.tile{height:120px;border-radius:8px;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:6px;color:rgba(255,255,255,.92);font-weight:700;letter-spacing:.08em;text-transform:uppercase}
.tile .logo{width:56px;height:35px;opacity:.85}
.logo{width:28px;height:18px;vertical-align:-2px}
.price{font-weight:700;color:var(--ink)!important}
button,.button{font:inherit;background:var(--accent);color:#fff;border:0;border-radius:8px;padding:10px 16px;cursor:pointer;text-decoration:none;display:inline-block}
button:hover,.button:hover{filter:brightness(1.1)}
button.link{background:none;color:inherit;padding:0;text-decoration:underline}
button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #f2b134;outline-offset:2px}
.form{max-width:520px;display:grid;gap:14px}
.form label{display:grid;gap:4px;font-weight:600}
.form input,.form textarea{font:inherit;padding:10px;border:1px solid #c9c3b5;border-radius:8px;font-weight:400}
.row{display:grid;grid-template-columns:2fr 1fr;gap:12px}
.hint{color:var(--muted);margin:0}
.error{color:#a1261a;margin:0}
.notice{background:#e6f2ec;border:1px solid #b9d9ca;border-radius:10px;padding:12px 16px}
table.cart{width:100%;border-collapse:collapse;background:var(--card);border-radius:12px;overflow:hidden}
.cart th,.cart td{text-align:left;padding:10px 12px;border-bottom:1px solid var(--line)}
.card-line{font-variant-numeric:tabular-nums}
.profile .avatar{float:right;border-radius:50%;margin:0 0 8px 16px}
.profile::after{content:'';display:block;clear:both}
.panel+.panel{margin-top:16px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.foot{text-align:center;color:var(--muted);font-size:.85rem;padding:24px}
@media (max-width:600px){.hero{padding:28px 20px}.hero h1{font-size:1.6rem}.bar{padding:10px 14px}.row{grid-template-columns:1fr}}
`;
