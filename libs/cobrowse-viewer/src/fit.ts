/** A width and a height in CSS pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Where the replayed viewport sits inside its container: scale it, then move it by left/top. */
export interface Fit {
  scale: number;
  left: number;
  top: number;
}

/**
 * Fits the customer's viewport into the container, keeping its aspect ratio and centring it.
 * A container without a height (laid out by its width only) fits by width. The scale never goes
 * above `maxScale`, so a small phone viewport is not blown up into a blurry page.
 */
export function fitViewport(container: Size, viewport: Size, maxScale = 1): Fit {
  if (!(viewport.width > 0) || !(viewport.height > 0) || !(container.width > 0)) return { scale: 1, left: 0, top: 0 };
  const byWidth = container.width / viewport.width;
  const byHeight = container.height > 0 ? container.height / viewport.height : Infinity;
  const scale = Math.min(byWidth, byHeight, maxScale);
  const left = (container.width - viewport.width * scale) / 2;
  const top = container.height > 0 ? (container.height - viewport.height * scale) / 2 : 0;
  return { scale, left: Math.max(0, left), top: Math.max(0, top) };
}

/** The CSS transform for a fit (the wrapper's transform-origin is its top-left corner). */
export function fitTransform(fit: Fit): string {
  return `translate(${round(fit.left)}px, ${round(fit.top)}px) scale(${round(fit.scale, 4)})`;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The inverse of a fit: a point in the container (CSS pixels from its top-left corner) to the
 * customer's viewport coordinates, or null when it falls outside the replayed viewport.
 */
export function unfitPoint(point: { x: number; y: number }, fit: Fit, viewport: Size): { x: number; y: number } | null {
  if (!(fit.scale > 0)) return null;
  const x = (point.x - fit.left) / fit.scale;
  const y = (point.y - fit.top) / fit.scale;
  if (x < 0 || y < 0 || x > viewport.width || y > viewport.height) return null;
  return { x: Math.round(x), y: Math.round(y) };
}
