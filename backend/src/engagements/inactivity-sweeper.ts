import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '../common/errors';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { EngagementsService } from './engagements.service';

/** Ends live engagements without activity for INACTIVITY_TIMEOUT_S, reason `timeout`. */
@Injectable()
export class InactivitySweeper implements OnApplicationBootstrap {
  private readonly log = createLogger('inactivity');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly engagements: EngagementsService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timeoutS = this.config.get('inactivityTimeoutS');
    const everyMs = Math.min(30_000, Math.max(1_000, (timeoutS * 1000) / 4));
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  /** One pass; overlapping passes are skipped. */
  sweep(): Promise<void> {
    if (this.#closed || this.running) return this.running ?? Promise.resolve();
    this.running = (async () => {
      try {
        for (const id of await this.engagements.idleSince(this.config.get('inactivityTimeoutS'))) {
          if (this.#closed) return;
          try {
            await this.engagements.end(id, 'timeout', 'system');
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
          }
        }
      } catch (err) {
        this.log.error({ err }, 'inactivity sweep failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Stops the interval and waits for a running pass. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.timer);
    await this.running;
  }
}
