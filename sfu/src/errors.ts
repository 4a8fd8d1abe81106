/** Errors with meaning: each carries the HTTP status and machine-readable code the control API answers with. */
export class SfuError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends SfuError {
  constructor(message: string) {
    super(400, 'bad-request', message);
  }
}

export class UnauthorizedError extends SfuError {
  constructor(message = 'missing or wrong bearer token') {
    super(401, 'unauthorized', message);
  }
}

export class NotFoundError extends SfuError {
  constructor(message: string) {
    super(404, 'not-found', message);
  }
}

export class InvalidStateError extends SfuError {
  constructor(message: string) {
    super(409, 'invalid-state', message);
  }
}

/** The worker a room lives on carries all the media it can: refused before every call on it degrades. */
export class OverloadedError extends SfuError {
  constructor(message: string) {
    super(503, 'overloaded', message);
  }
}
