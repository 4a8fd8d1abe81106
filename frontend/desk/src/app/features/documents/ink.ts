import type { AnnotationTool } from '@engage/protocol';

export type Pt = [number, number];

/** Stroke width per tool, as a fraction of the page width. */
export const TOOL_WIDTH: Record<AnnotationTool, number> = { pen: 0.003, highlighter: 0.018, rect: 0.003, ellipse: 0.003, arrow: 0.003, text: 0.003 };

/**
 * An SVG path through normalized points on a page of w×h units: quadratic curves from midpoint to
 * midpoint with each sampled point as the control point, so a pointer's jagged samples draw as a smooth line.
 */
export function smoothPath(points: readonly Pt[], w: number, h: number): string {
  if (!points.length) return '';
  const p = points.map(([x, y]) => [x * w, y * h] as const);
  const f = (n: number) => Math.round(n * 100) / 100;
  if (p.length === 1) return `M${f(p[0][0])} ${f(p[0][1])}l0.01 0`;
  let d = `M${f(p[0][0])} ${f(p[0][1])}`;
  for (let i = 1; i < p.length - 1; i++) {
    const mx = (p[i][0] + p[i + 1][0]) / 2;
    const my = (p[i][1] + p[i + 1][1]) / 2;
    d += `Q${f(p[i][0])} ${f(p[i][1])} ${f(mx)} ${f(my)}`;
  }
  const last = p[p.length - 1];
  return `${d}L${f(last[0])} ${f(last[1])}`;
}

/** An arrow from the tail to the head, with a head proportional to the stroke width. */
export function arrowPath(points: readonly Pt[], w: number, h: number, strokeWidth: number): string {
  const [a, b] = [points[0], points[points.length - 1]];
  const x1 = a[0] * w, y1 = a[1] * h, x2 = b[0] * w, y2 = b[1] * h;
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const len = Math.max(strokeWidth * 5, 8);
  const l = (t: number) => `${x2 - len * Math.cos(angle - t)} ${y2 - len * Math.sin(angle - t)}`;
  return `M${x1} ${y1}L${x2} ${y2}M${l(Math.PI / 7)}L${x2} ${y2}L${l(-Math.PI / 7)}`;
}

/** The box spanned by two corners. */
export function box(points: readonly Pt[], w: number, h: number): { x: number; y: number; w: number; h: number } {
  const [a, b] = [points[0], points[points.length - 1]];
  return { x: Math.min(a[0], b[0]) * w, y: Math.min(a[1], b[1]) * h, w: Math.abs(a[0] - b[0]) * w, h: Math.abs(a[1] - b[1]) * h };
}

export const clamp01 = (n: number): number => Math.min(1, Math.max(0, n));

/** Pointer position on an element, normalized to 0..1 of its box. */
export function normPoint(e: PointerEvent | MouseEvent, el: Element): Pt {
  const r = el.getBoundingClientRect();
  return [clamp01((e.clientX - r.left) / (r.width || 1)), clamp01((e.clientY - r.top) / (r.height || 1))];
}

/** A v4 uuid; crypto.randomUUID exists only in secure contexts (a LAN http address is not one). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
