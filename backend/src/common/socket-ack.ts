import type { Ack } from '@engage/protocol';
import { toErrorBody } from './errors';

/** The one helper that turns a result or a thrown error into a socket acknowledgement. */
export async function toAck<T>(work: () => Promise<T> | T): Promise<Ack<T>> {
  try {
    return { ok: true, data: await work() };
  } catch (err) {
    return { ok: false, error: toErrorBody(err).body };
  }
}
