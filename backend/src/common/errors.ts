import type { DocErrorCode, ErrorBody, ErrorCode } from '@engage/protocol';
import { ZodError } from 'zod';

/** A failure with a meaning: a machine code, an HTTP status and a sentence for people. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
  toBody(): ErrorBody {
    return this.retryAfter === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, retryAfter: this.retryAfter };
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Sign in first.') {
    super('unauthorized', 401, message);
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'You may not do this.') {
    super('forbidden', 403, message);
  }
}
export class OriginNotAllowedError extends DomainError {
  constructor(origin: string) {
    super('origin_not_allowed', 403, `The origin ${origin} is not allowed to use this platform.`);
  }
}
export class NotFoundError extends DomainError {
  constructor(message = 'Not found.') {
    super('not_found', 404, message);
  }
}
export class InvalidPayloadError extends DomainError {
  constructor(message: string) {
    super('invalid_payload', 400, message);
  }
}
export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super('payload_too_large', 413, message);
  }
}
export class InvalidStateError extends DomainError {
  constructor(message: string) {
    super('invalid_state', 409, message);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}
export class RateLimitedError extends DomainError {
  constructor(retryAfter: number) {
    super('rate_limited', 429, 'Too many messages; slow down.', retryAfter);
  }
}
export class OverloadedError extends DomainError {
  constructor(retryAfter: number) {
    super('overloaded', 503, 'The server is busy; retry shortly.', retryAfter);
  }
}
export class UnknownEventError extends DomainError {
  constructor(event: string) {
    super('unknown_event', 400, `Unknown event "${event.slice(0, 60)}".`);
  }
}

/** A document refused or failed for a reason of its own (see DOC_ERROR_CODES); the message says why. */
export class DocumentError extends DomainError {
  constructor(code: DocErrorCode, message: string) {
    super(code, DOCUMENT_ERROR_STATUS[code], message);
  }
}
const DOCUMENT_ERROR_STATUS: Record<DocErrorCode, number> = {
  unsupported_type: 415,
  empty_file: 400,
  file_too_large: 413,
  image_too_large: 413,
  damaged_file: 422,
  encrypted_file: 422,
  quota_exceeded: 413,
  conversion_failed: 422,
  fields_required: 409,
};

/** Turns a zod failure into one readable sentence. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Any thrown value → ErrorBody; unknown failures become `internal` without leaking details. */
export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) return { status: err.status, body: err.toBody() };
  if (err instanceof ZodError) return { status: 400, body: { code: 'invalid_payload', message: describeZodError(err) } };
  return { status: 500, body: { code: 'internal', message: 'Something went wrong on our side.' } };
}

/** Parses with a zod schema, throwing InvalidPayloadError on failure. */
export function parseOrThrow<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidPayloadError(describeZodError(r.error));
  return r.data;
}
