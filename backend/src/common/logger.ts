import type { LoggerService as NestLoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

let root: Logger = pino({ level: 'info', base: { svc: 'backend' } });

/** Sets the level of every logger; called once at boot from the config. */
export function configureLogging(level: string): void {
  root = pino({ level, base: { svc: 'backend' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** One logger per object: `createLogger('chat', { eid })` puts the engagement id on each line. */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}

/** NestJS's own log lines, as JSON through pino. */
export class PinoNestLogger implements NestLoggerService {
  private readonly log_ = () => createLogger('nest');
  log(message: unknown, context?: string): void {
    this.log_().info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.log_().error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.log_().warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.log_().debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.log_().trace({ context }, String(message));
  }
}
