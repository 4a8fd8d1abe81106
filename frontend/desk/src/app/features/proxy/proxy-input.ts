import type { ResolvedProxyInput as ProxyInput } from '@engage/protocol';

/** Where a point of the canvas (client coordinates) falls on the shared page, in its CSS pixels. */
export function toPage(canvas: HTMLCanvasElement, page: { width: number; height: number }, clientX: number, clientY: number): { x: number; y: number } {
  const r = canvas.getBoundingClientRect();
  const x = ((clientX - r.left) / Math.max(1, r.width)) * page.width;
  const y = ((clientY - r.top) / Math.max(1, r.height)) * page.height;
  return { x: Math.round(Math.min(page.width, Math.max(0, x)) * 10) / 10, y: Math.round(Math.min(page.height, Math.max(0, y)) * 10) / 10 };
}

const BUTTONS = ['left', 'middle', 'right'] as const;

export function modifiersOf(e: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): number {
  return (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
}

export function mouseInput(type: 'move' | 'down' | 'up', e: MouseEvent, at: { x: number; y: number }): ProxyInput {
  return { kind: 'mouse', type, ...at, button: BUTTONS[e.button] ?? 'left', clickCount: Math.min(3, Math.max(1, e.detail || 1)), deltaX: 0, deltaY: 0, modifiers: modifiersOf(e) };
}

/** Printable keys become text (typed as is); the rest are named keys (Enter, Backspace, arrows…). */
export function keyInput(e: KeyboardEvent): ProxyInput | null {
  if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) return { kind: 'text', text: e.key };
  if (e.key === 'Shift' || e.key === 'Control' || e.key === 'Alt' || e.key === 'Meta' || e.key.length > 32) return null;
  return { kind: 'key', type: 'press', key: e.key, modifiers: modifiersOf(e) };
}
