import type { Frame, Page } from 'puppeteer-core';
import { screenshot } from './browser';
import { tid } from './desk';

/** The replayed page inside the desk's co-browse view. */
export async function replayFrame(agent: Page): Promise<Frame> {
  const handle = await agent.waitForSelector(`${tid('cobrowse-view')} iframe`);
  const frame = await handle!.contentFrame();
  if (!frame) throw new Error('the co-browse view has no replay frame');
  return frame;
}

export async function waitInReplay(agent: Page, text: string, timeout = 15_000): Promise<void> {
  const start = Date.now();
  let seen = '';
  for (;;) {
    const frame = await replayFrame(agent).catch(() => null);
    seen = frame ? await frame.evaluate(() => document.body?.textContent ?? '').catch(() => '') : '';
    if (seen.replace(/\s+/g, ' ').includes(text)) return;
    if (Date.now() - start > timeout) {
      await screenshot(agent, 'failed-cobrowse-replay');
      throw new Error(`the replay never showed "${text}"; it shows: ${seen.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

