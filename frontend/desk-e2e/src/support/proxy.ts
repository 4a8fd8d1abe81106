import type { Page } from 'puppeteer-core';
import { tid } from './desk';

/** Where the centre of the other side's dot sits on this viewer's canvas, normalized (0..1); null when none is shown. */
export function peerDotAt(page: Page): Promise<{ x: number; y: number; label: string } | null> {
  return page.evaluate((dotSel: string, canvasSel: string) => {
    const dot = document.querySelector(dotSel);
    const canvas = document.querySelector(canvasSel);
    if (!dot || !canvas) return null;
    const d = dot.getBoundingClientRect();
    const c = canvas.getBoundingClientRect();
    return { x: (d.left + d.width / 2 - c.left) / c.width, y: (d.top + d.height / 2 - c.top) / c.height, label: (dot.textContent ?? '').trim() };
  }, tid('proxy-peer-pointer'), tid('proxy-view'));
}
