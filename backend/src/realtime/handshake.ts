import type { ErrorBody } from '@engage/protocol';
import type { Principal } from '../auth/principal';
import type { TokensService } from '../auth/tokens.service';
import { OriginNotAllowedError, toErrorBody } from '../common/errors';

export interface HandshakeInfo {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/** Checks the Origin (when a browser sent one) and the token of a connecting socket. */
export function authenticateHandshake(h: HandshakeInfo, tokens: TokensService, allowedOrigins: readonly string[]): Principal {
  const origin = h.headers.origin;
  if (typeof origin === 'string' && !allowedOrigins.includes(origin)) throw new OriginNotAllowedError(origin);
  return tokens.verify(h.auth?.token);
}

/** The error socket.io hands to the client's `connect_error`: message = JSON, data = {code, message}. */
export function handshakeError(err: unknown): Error & { data: ErrorBody } {
  const { body } = toErrorBody(err);
  return Object.assign(new Error(JSON.stringify(body)), { data: body });
}
