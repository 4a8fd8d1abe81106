import pino, { type Logger } from 'pino';

let root: Logger = pino({ level: 'info', base: { svc: 'proxy-worker' } });

/** Sets the level of every logger created afterwards; called once at boot from the config. */
export function configureLogging(level: string): void {
  root = pino({ level, base: { svc: 'proxy-worker' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** One logger per object: `createLogger('session', { sid })` puts the session id on each line. */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
