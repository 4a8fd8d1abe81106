// What the demo shop sells. Prices in cents.
export interface Product {
  id: string;
  name: string;
  priceCents: number;
  blurb: string;
  /** Accent colour of the product tile (no images needed). */
  color: string;
  /** One word shown large on the tile. */
  label: string;
}

export const PRODUCTS: readonly Product[] = [
  { id: 'trail-jacket', name: 'Ridgeline Trail Jacket', priceCents: 14900, blurb: 'Waterproof, breathable, packs into its own pocket.', color: '#2f6f5e', label: 'Jacket' },
  { id: 'hiking-boots', name: 'Summit Hiking Boots', priceCents: 12900, blurb: 'Leather uppers, grippy soles, broken in from day one.', color: '#8a5a2b', label: 'Boots' },
  { id: 'day-pack', name: 'Fjord 24 L Day Pack', priceCents: 7900, blurb: 'Ventilated back panel and a hydration sleeve.', color: '#3b5b92', label: 'Pack' },
  { id: 'camp-mug', name: 'Enamel Camp Mug', priceCents: 1400, blurb: 'Keeps coffee warm while the sun comes up.', color: '#b8483a', label: 'Mug' },
];

export const PRODUCT_IDS: ReadonlySet<string> = new Set(PRODUCTS.map((p) => p.id));

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
