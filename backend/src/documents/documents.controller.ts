import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DOC_API, DOC_FILE_NAME_HEADER, uuidSchema, type DocumentView } from '@engage/protocol';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { NotFoundError } from '../common/errors';
import { DocumentsService } from './documents.service';

/** Upload and list (bearer token of a participant), and the bytes behind signed URLs. */
@ApiTags('documents')
@Controller()
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post(DOC_API.documents(':id'))
  @HttpCode(201)
  @ApiBearerAuth()
  @Roles('customer', 'agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'Upload one file (raw body, name in X-File-Name) to the engagement’s document room' })
  async upload(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ document: DocumentView }> {
    if (!uuidSchema.safeParse(id).success) throw new NotFoundError('No such engagement.');
    const raw = req.headers['content-length'];
    const contentLength = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
    const name = req.headers[DOC_FILE_NAME_HEADER];
    try {
      return { document: await this.documents.upload(p, id, req, { fileName: Array.isArray(name) ? name[0] : name, contentLength }) };
    } catch (err) {
      // A refusal before the body was read: do not keep the connection to drain an unwanted upload.
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      throw err;
    }
  }

  @Get(DOC_API.documents(':id'))
  @ApiBearerAuth()
  @Roles('customer', 'agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'The documents of the engagement’s room' })
  async list(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<{ documents: DocumentView[] }> {
    if (!uuidSchema.safeParse(id).success) throw new NotFoundError('No such engagement.');
    return { documents: await this.documents.list(p, id) };
  }

  /** Authorized by the signed URL (exp + sig), so <img>, <video> and pdf.js can load it. */
  @Get(DOC_API.content(':documentId'))
  @ApiOperation({ summary: 'The bytes of a document (signed URL from a DocumentView); honours Range' })
  async content(@Param('documentId') documentId: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!uuidSchema.safeParse(documentId).success) throw new NotFoundError('No such document.');
    const c = await this.documents.content(documentId, query);
    res.setHeader('Content-Type', c.contentType);
    res.setHeader('Content-Disposition', c.disposition);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('Accept-Ranges', 'bytes');
    const range = parseRange(req.headers.range, c.size);
    if (range === 'unsatisfiable') {
      res.status(416).setHeader('Content-Range', `bytes */${c.size}`);
      res.end();
      return;
    }
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${c.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.status(200);
      res.setHeader('Content-Length', String(c.size));
    }
    if (req.method === 'HEAD') return void res.end();
    const stream = c.open(range ?? undefined);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range; null for none (or a multi-range, answered whole). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
