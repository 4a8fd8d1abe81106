import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@engage/protocol';
import type { Response } from 'express';
import { toErrorBody } from './errors';
import { createLogger } from './logger';

const statusCodes: Record<number, ErrorCode> = { 400: 'invalid_payload', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 429: 'rate_limited' };

/** The one place REST errors become `{code, message}`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = createLogger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status: number;
    let body: ErrorBody;
    if (err instanceof HttpException) {
      status = err.getStatus();
      body = { code: statusCodes[status] ?? (status >= 500 ? 'internal' : 'invalid_payload'), message: err.message };
    } else {
      ({ status, body } = toErrorBody(err));
    }
    if (status >= 500) this.log.error({ err }, 'request failed');
    if (body.retryAfter !== undefined) res.setHeader('Retry-After', String(Math.ceil(body.retryAfter)));
    res.status(status).json(body);
  }
}
