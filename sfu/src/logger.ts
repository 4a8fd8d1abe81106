import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/sfu-config';

export type { Logger };

/** The root logger of the process: JSON lines on stderr, so stdout carries only the READY line. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'sfu' } }, pino.destination(2));
}
