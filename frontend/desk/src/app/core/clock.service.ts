import { Injectable, signal } from '@angular/core';

/** One shared one-second tick for "waiting 1:23" style labels. */
@Injectable({ providedIn: 'root' })
export class ClockService {
  readonly #now = signal(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Current time in ms; reading it starts the tick. */
  now(): number {
    this.#timer ??= setInterval(() => this.#now.set(Date.now()), 1000);
    return this.#now();
  }
}
