import { HttpErrorResponse } from '@angular/common/http';
import type { WritableSignal } from '@angular/core';
import { RequestError } from '@engage/chat-client';
import type { ErrorBody } from '@engage/protocol';

/** A sentence a person can act on, from whatever failed: REST error bodies, socket acks, network. */
export function describeError(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    if (err.status === 0) return 'Cannot reach the server. Check your connection and try again.';
    const body = err.error as Partial<ErrorBody> | null;
    if (body && typeof body === 'object' && typeof body.message === 'string' && body.message) return withRetry(body.message, body.retryAfter);
    if (err.status === 401) return 'Your session has ended. Please sign in again.';
    if (err.status >= 500) return 'The server had a problem. Please try again in a moment.';
    return `The request failed (${err.status}).`;
  }
  if (err instanceof RequestError) {
    if (err.code === 'offline') return 'You are offline. This will work again once the connection is back.';
    if (err.code === 'timeout') return 'The server did not answer in time. Please try again.';
    return withRetry(err.message, err.retryAfter);
  }
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong. Please try again.';
}

function withRetry(message: string, retryAfter?: number): string {
  return retryAfter ? `${message} Try again in ${Math.ceil(retryAfter)} s.` : message;
}

/** How a desk control runs a request: busy while it runs, the previous error cleared, a failure shown as a sentence. */
export async function runAction(ui: { busy: WritableSignal<boolean>; error: WritableSignal<string> }, action: () => Promise<unknown>): Promise<void> {
  ui.busy.set(true);
  ui.error.set('');
  try {
    await action();
  } catch (err) {
    ui.error.set(describeError(err));
  } finally {
    ui.busy.set(false);
  }
}
