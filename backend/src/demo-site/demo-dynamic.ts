// Demo pages whose content changes in the browser: an order history that is a single-page app
// (history.pushState routes, a 500-row table) and a "live lab" with a web component (open shadow
// root), a same-origin iframe, canvases and a CSS animation. They exist to show (and test) that
// direct co-browse follows content the server never rendered.
import { type PageContext, layout } from './demo-pages';

/** Orders in the history table; the rows are generated in the browser from the same formula. */
export const ORDER_COUNT = 500;

/**
 * The order-history app. The server sends the same shell for every /orders path; the script
 * renders the route from location.pathname, and links switch routes with history.pushState
 * (push first, then render, in one task, as routers do). /orders/payment is a protected route:
 * its URL matches the widget's protected-page pattern, it carries no marker of its own.
 */
export function ordersApp(ctx: PageContext): string {
  return layout(
    ctx,
    'Orders',
    `<div id="orders-app" data-testid="orders-app" aria-live="polite"></div>
<script>
(function () {
  var COUNT = ${ORDER_COUNT};
  var STATES = ['open', 'shipped', 'delivered'];
  function order(i) {
    return { no: 'NW-' + (10000 + i), total: ((i * 7919) % 50000) / 100, state: STATES[i % 3], items: 1 + (i % 4) };
  }
  function money(n) { return '$' + n.toFixed(2); }
  var app = document.getElementById('orders-app');
  function list() {
    var rows = '';
    for (var i = 0; i < COUNT; i++) {
      var o = order(i);
      rows += '<tr><td><a href="/orders/' + o.no + '" data-route>' + o.no + '</a></td><td>' + o.items + '</td><td>' + money(o.total) + '</td><td>' + o.state + '</td></tr>';
    }
    return '<h1 data-testid="orders-title">Your orders</h1>' +
      '<p><a href="/orders/payment" data-route data-testid="payment-link">Payment methods for orders</a></p>' +
      '<table class="cart" id="orders-table"><thead><tr><th scope="col">Order</th><th scope="col">Items</th><th scope="col">Total</th><th scope="col">State</th></tr></thead><tbody>' + rows + '</tbody></table>';
  }
  function detail(no) {
    var i = Number(no.slice(3)) - 10000;
    if (!(i >= 0 && i < COUNT)) return '<h1>Order not found</h1><p><a href="/orders" data-route>All orders</a></p>';
    var o = order(i);
    return '<h1 data-testid="order-title">Order ' + o.no + '</h1>' +
      '<section class="panel"><p data-testid="order-summary">' + o.items + ' item(s), ' + money(o.total) + ', ' + o.state + '</p>' +
      '<p><a href="/orders" data-route data-testid="orders-link">Back to all orders</a></p></section>';
  }
  function payment() {
    return '<h1>Payment methods for orders</h1>' +
      '<section class="panel"><p data-testid="payment-card">Mastercard ending 5454, billing ZIP 94107</p>' +
      '<p><a href="/orders" data-route>Back to all orders</a></p></section>';
  }
  function render() {
    var path = location.pathname.replace(/\\/+$/, '') || '/orders';
    var m = /^\\/orders\\/(NW-\\d{5})$/.exec(path);
    app.innerHTML = path === '/orders/payment' ? payment() : m ? detail(m[1]) : list();
    document.title = (path === '/orders/payment' ? 'Payment methods' : m ? 'Order ' + m[1] : 'Orders') + ' · Northwind Outfitters';
  }
  document.addEventListener('click', function (e) {
    var a = e.target instanceof Element ? e.target.closest('a[data-route]') : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    history.pushState(null, '', a.getAttribute('href'));
    render();
    window.scrollTo(0, 0);
  });
  window.addEventListener('popstate', render);
  render();
})();
</script>`,
  );
}

/** CSS of the lab (appended to the site stylesheet, so co-browse mirrors it like any other rule). */
export const LAB_CSS = `
.pulse{display:inline-block;animation:nw-pulse 1.6s ease-in-out infinite;background:#fbe3c4;border-radius:6px;padding:4px 10px}
@keyframes nw-pulse{0%,100%{transform:scale(1)}50%{transform:scale(1.06)}}
.lab{display:grid;gap:16px}
.lab canvas{border:1px solid var(--line);border-radius:8px;background:#fff}
.lab iframe{border:1px solid var(--line);border-radius:8px;width:100%;max-width:520px;height:170px;background:#fff}
`;

/**
 * The live lab: content the page builds and changes itself.
 * - `<nw-stock>`: a custom element with an open shadow root (text, a button, a gift-code field);
 * - a same-origin iframe (/lab/frame) with its own field;
 * - a colour preview canvas the buttons repaint, and a signature canvas the site marks private;
 * - a badge with a CSS animation.
 */
export function labPage(ctx: PageContext): string {
  return layout(
    ctx,
    'Live lab',
    `<h1>Live lab</h1>
<div class="lab">
<section class="panel">
  <h2>Stock (a web component)</h2>
  <nw-stock data-testid="stock" data-count="12"></nw-stock>
</section>
<section class="panel">
  <h2>Size guide</h2>
  <iframe src="/lab/frame" title="Size guide" data-testid="size-frame"></iframe>
</section>
<section class="panel">
  <h2>Colour preview</h2>
  <canvas id="swatch" width="160" height="80" data-testid="swatch" aria-label="Colour preview"></canvas>
  <p><button type="button" data-colour="#d22f27" data-testid="paint-red">Red</button> <button type="button" data-colour="#1f5fd6" data-testid="paint-blue">Blue</button></p>
  <h2>Signature</h2>
  <canvas id="signature" width="160" height="80" data-cobrowse="private" data-testid="signature" aria-label="Signature"></canvas>
</section>
<section class="panel"><p><span class="pulse" data-testid="pulse">Sale ends soon</span></p></section>
</div>
<script>
(function () {
  customElements.define('nw-stock', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var root = this.attachShadow({ mode: 'open' });
      root.innerHTML = '<style>p{font-weight:700;margin:0 0 8px}</style>' +
        '<p data-testid="stock-text">In stock: <span>' + this.dataset.count + '</span> left</p>' +
        '<button type="button" data-testid="reserve">Reserve one</button> ' +
        '<label>Gift code <input name="gift" data-testid="gift-code" autocomplete="off"></label>';
      var self = this;
      root.querySelector('button').addEventListener('click', function () {
        var n = Math.max(0, Number(self.dataset.count) - 1);
        self.dataset.count = String(n);
        root.querySelector('span').textContent = String(n);
      });
    }
  });
  function paint(id, colour) {
    var c = document.getElementById(id);
    var x = c.getContext('2d');
    x.fillStyle = colour;
    x.fillRect(0, 0, c.width, c.height);
  }
  paint('swatch', '#d22f27');
  paint('signature', '#0a8a3a');
  document.querySelectorAll('button[data-colour]').forEach(function (b) {
    b.addEventListener('click', function () {
      paint('swatch', b.getAttribute('data-colour'));
      paint('signature', b.getAttribute('data-colour'));
    });
  });
})();
</script>`,
  );
}

/** The iframe of the lab: a plain same-origin document (no widget of its own). */
export function labFramePage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Size guide</title><link rel="stylesheet" href="/site.css"></head>
<body style="background:#fff;padding:12px">
<p data-testid="frame-text">Selected size: <strong id="size">M</strong></p>
<p><button type="button" data-size="S">S</button> <button type="button" data-size="M">M</button> <button type="button" data-size="L">L</button></p>
<label>Your height (cm) <input name="height" data-testid="frame-height" inputmode="numeric"></label>
<script>
document.querySelectorAll('button[data-size]').forEach(function (b) {
  b.addEventListener('click', function () { document.getElementById('size').textContent = b.getAttribute('data-size'); });
});
</script>
</body>
</html>`;
}
