/** Machine-readable error codes shared by REST replies and socket acks. */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'origin_not_allowed',
  'not_found',
  'invalid_payload',
  'payload_too_large',
  'rate_limited',
  'overloaded',
  'invalid_state',
  'conflict',
  'unknown_event',
  'internal',
  // documents (see DOC_ERROR_CODES)
  'unsupported_type',
  'empty_file',
  'file_too_large',
  'image_too_large',
  'damaged_file',
  'encrypted_file',
  'quota_exceeded',
  'conversion_failed',
  'fields_required',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What every failed request answers: a code for programs and a sentence for people. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Seconds after which a retry makes sense (rate_limited, overloaded). */
  retryAfter?: number;
}

/** Reply to a socket event that takes an acknowledgement callback. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export function assertUnreachable(x: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(x)}`);
}
