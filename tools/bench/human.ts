// A person at the keyboard, for benchmark sessions that must last as long as a real one: the
// pointer travels to a target in small steps at ~60 Hz before it clicks, typing goes at ~5
// characters a second, reading is a pause with the odd small pointer drift, and scrolling comes in
// bursts of wheel notches. Pseudo-random but seeded, so two runs do the same thing.
import type { Page } from 'puppeteer-core';

export interface Pace {
  /** Multiplies every pause (1 = human speed; the quick run uses less). */
  scale: number;
  /** Milliseconds between keystrokes (200 = 5 characters a second). */
  keyDelayMs: number;
}

export const HUMAN_PACE: Pace = { scale: 1, keyDelayMs: 200 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STEP_MS = 16;

export class Human {
  #x = 640;
  #y = 400;
  #seed: number;
  /** What the person did, for the report. */
  readonly counts = { clicks: 0, keys: 0, wheelNotches: 0, pointerSteps: 0, readingMs: 0 };

  constructor(
    private readonly page: Page,
    private readonly pace: Pace,
    seed = 7,
  ) {
    this.#seed = seed;
  }

  /** 0 ≤ r < 1, reproducible. */
  #rand(): number {
    this.#seed = (this.#seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return this.#seed / 2 ** 31;
  }

  #between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.#rand();
  }

  /** Moves the pointer along an eased path, one step per frame. */
  async moveTo(x: number, y: number): Promise<void> {
    const dist = Math.hypot(x - this.#x, y - this.#y);
    const steps = Math.max(4, Math.min(40, Math.round(dist / 15)));
    const from = { x: this.#x, y: this.#y };
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      await this.page.mouse.move(from.x + (x - from.x) * e, from.y + (y - from.y) * e);
      this.counts.pointerSteps++;
      await sleep(STEP_MS * Math.max(this.pace.scale, 0.25));
    }
    this.#x = x;
    this.#y = y;
  }

  /**
   * Points at the element, scrolled into view first as a person would, at a spot of it that is not
   * under something else (the open chat panel sits over the page's bottom-right corner).
   */
  async pointTo(selector: string): Promise<void> {
    const el = await this.page.waitForSelector(selector, { visible: true });
    if (!el) throw new Error(`nothing matches ${selector}`);
    const fx = this.#between(0.3, 0.7);
    const fy = this.#between(0.3, 0.7);
    const spot = await el.evaluate(
      (e, fx, fy) => {
        const free = (): { x: number; y: number } | null => {
          const b = e.getBoundingClientRect();
          for (const tx of [fx, 0.2, 0.5, 0.8, 0.05]) {
            const x = b.left + b.width * tx;
            const y = b.top + b.height * fy;
            const hit = (e.getRootNode() as Document | ShadowRoot).elementFromPoint(x, y);
            if (hit && (hit === e || e.contains(hit))) return { x, y };
          }
          return null;
        };
        for (const block of ['center', 'start', 'end'] as const) {
          e.scrollIntoView({ block, behavior: 'instant' });
          const p = free();
          if (p) return p;
        }
        return null;
      },
      fx,
      fy,
    );
    if (!spot) throw new Error(`${selector} is covered or off screen`);
    await this.moveTo(spot.x, spot.y);
  }

  async click(selector: string): Promise<void> {
    if (!(await this.#reach(selector))) return this.#pressEnterOn(selector);
    await this.read(this.#between(150, 350));
    await this.page.mouse.click(this.#x, this.#y);
    this.counts.clicks++;
  }

  /** A click that loads another page; resolves once it has loaded. */
  async clickAndLoad(selector: string): Promise<void> {
    const reached = await this.#reach(selector);
    if (reached) await this.read(this.#between(150, 350));
    const act = reached ? this.page.mouse.click(this.#x, this.#y) : this.#pressEnterOn(selector);
    await Promise.all([this.page.waitForNavigation({ waitUntil: 'load' }), act]).catch((e: unknown) => {
      throw new Error(`clicking ${selector} loaded no page: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (reached) this.counts.clicks++;
  }

  /** Points at the target; false when something covers it wherever it scrolls (the co-browse banner over the top nav). */
  async #reach(selector: string): Promise<boolean> {
    try {
      await this.pointTo(selector);
      return true;
    } catch (e) {
      if (e instanceof Error && e.message.includes('is covered')) return false;
      throw e;
    }
  }

  /** What a person does with a link under an overlay: focus it and press Enter. */
  async #pressEnterOn(selector: string): Promise<void> {
    await this.page.$eval(selector, (e) => (e as HTMLElement).focus());
    await this.read(this.#between(300, 600));
    await this.page.keyboard.press('Enter');
    this.counts.keys++;
  }

  /** Clicks into a field and types at the pace's speed. */
  async typeInto(selector: string, text: string): Promise<void> {
    await this.click(selector);
    for (const ch of text) {
      await this.page.keyboard.type(ch);
      this.counts.keys++;
      await sleep(this.pace.keyDelayMs * this.#between(0.6, 1.4));
    }
  }

  /** Reading: a pause in which the pointer now and then drifts a little. */
  async read(ms: number): Promise<void> {
    const end = Date.now() + ms * this.pace.scale;
    this.counts.readingMs += ms * this.pace.scale;
    while (Date.now() < end) {
      const wait = Math.min(end - Date.now(), this.#between(1500, 4000) * this.pace.scale);
      await sleep(Math.max(0, wait));
      if (Date.now() < end - 300 * this.pace.scale) await this.moveTo(clamp(this.#x + this.#between(-60, 60), 10, 1270), clamp(this.#y + this.#between(-40, 40), 10, 790));
    }
  }

  /** Scrolls down (or up, with negative notches) a burst of wheel notches, as a wheel turns. */
  async scroll(notches: number): Promise<void> {
    for (let i = 0; i < Math.abs(notches); i++) {
      await this.page.mouse.wheel({ deltaY: Math.sign(notches) * 100 });
      this.counts.wheelNotches++;
      await sleep(this.#between(40, 90) * Math.max(this.pace.scale, 0.25));
    }
  }

  between(lo: number, hi: number): number {
    return this.#between(lo, hi);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
