/**
 * The document room through the real app: HTTP uploads and signed downloads, socket.io events,
 * embedded PostgreSQL, poppler and LibreOffice (in its own network namespace).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DOC_API, DOC_EV, type Ack, type DocRoomView, type DocumentView, type ServerPayloads } from '@engage/protocol';
import type { Socket } from 'socket.io-client';
import { TokensService } from '../auth/tokens.service';
import { configureLogging } from '../common/logger';
import type { AppConfig } from '../config/app-config';
import { EngagementsService } from '../engagements/engagements.service';
import { startTestApp, type StaffPrincipal, type TestApp } from '../testing/test-app';
import { DocumentsService } from './documents.service';
import { pdfText } from './pdf-tools';
import { DocumentRetentionSweeper } from './retention-sweeper';
import * as fx from './testing/fixtures';
import { UrlSigner } from './url-signer';
import { urlSecretOf } from './documents.module';

configureLogging('silent');
jest.setTimeout(240_000);

const MB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('document room over HTTP, sockets and real PostgreSQL', () => {
  let t: TestApp;
  let env: TestApp['env'];
  let app: NestExpressApplication;
  let base: string;
  let config: AppConfig;
  let engagements: EngagementsService;
  let tokens: TokensService;
  const staff: Record<'agent' | 'agent2' | 'supervisor', { token: string; principal: StaffPrincipal }> = {} as never;

  beforeAll(async () => {
    t = await startTestApp({
      dataDirPrefix: 'engage-docs-',
      settings: {
        DOC_MAX_UPLOAD_BYTES: String(12 * MB),
        DOC_MAX_VIDEO_BYTES: String(20 * MB),
        DOC_QUOTA_BYTES: String(25 * MB),
        DOC_RETENTION_DAYS: '1',
        DOC_CONVERSION_TIMEOUT_S: '90',
      },
      ackTimeoutMs: 60_000,
    });
    ({ env, app, base, config } = t);
    engagements = app.get(EngagementsService);
    tokens = app.get(TokensService);
    const principals = await t.addStaff([
      ['agent', 'agent', 'Alex Agent'],
      ['agent2', 'agent', 'Bo Agent'],
      ['supervisor', 'supervisor', 'Sam Supervisor'],
    ] as const);
    for (const [key, principal] of Object.entries(principals)) staff[key as keyof typeof staff] = { principal, token: tokens.signStaff(principal) };
  });

  afterAll(() => t?.close(() => app.get(DocumentsService).idle()));

  /** A fresh active engagement of the agent with a joined customer. */
  async function engagement(customerName = 'Carla Customer'): Promise<{ id: string; customerToken: string }> {
    const inv = await engagements.invite(staff.agent.principal as never, { customerName });
    const s = await engagements.join({ code: inv.code, customerName });
    return { id: inv.engagement.id, customerToken: s.customerToken };
  }

  async function upload(token: string | null, eid: string, bytes: Uint8Array, name: string): Promise<{ status: number; body: { document: DocumentView } & { code?: string; message?: string } }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(name) };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(`${base}${DOC_API.documents(eid)}`, { method: 'POST', headers, body: bytes as unknown as RequestInit['body'] });
    return { status: r.status, body: await r.json() };
  }

  async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const r = await fetch(`${base}${url}`, { headers });
    return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
  }

  const connect = (token: string): Promise<Socket> => t.connect(token);
  const send = <T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>> => t.send<T>(s, event, payload);
  const ok = <T>(s: Socket, event: string, payload: unknown): Promise<T> => t.ok<T>(s, event, payload);

  function next<E extends keyof ServerPayloads>(s: Socket, event: E, match: (p: ServerPayloads[E]) => boolean = () => true, ms = 120_000): Promise<ServerPayloads[E]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        s.off(event as string, on);
        reject(new Error(`no ${event} within ${ms} ms`));
      }, ms);
      const on = (p: ServerPayloads[E]) => {
        if (!match(p)) return;
        clearTimeout(timer);
        s.off(event as string, on);
        resolve(p);
      };
      s.on(event as string, on);
    });
  }

  async function waitReady(eid: string, token: string, id: string): Promise<DocumentView> {
    await app.get(DocumentsService).idle();
    const r = await fetch(`${base}${DOC_API.documents(eid)}`, { headers: { Authorization: `Bearer ${token}` } });
    const { documents } = (await r.json()) as { documents: DocumentView[] };
    return documents.find((d) => d.id === id)!;
  }

  it('uploads a PDF form: fields found, thumbnail and page 1 rendered, bytes served with safe headers', async () => {
    const { id } = await engagement();
    const form = await fx.formPdf();
    const r = await upload(staff.agent.token, id, form, 'account form.pdf');
    expect(r.status).toBe(201);
    const d = r.body.document;
    expect(d).toMatchObject({ kind: 'pdf', status: 'ready', sourceType: 'application/pdf', pages: 1, size: form.length, sha256: sha(form), origin: 'upload', uploadedBy: { role: 'agent', name: 'Alex Agent' } });
    const byName = Object.fromEntries(d.fields.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(Object.values(fx.FORM_FIELDS).sort());
    expect(byName.full_name).toMatchObject({ type: 'text', required: true, page: 1 });
    expect(byName.full_name.rect.x).toBeCloseTo(160 / 595.28, 2);
    expect(byName.full_name.rect.y).toBeCloseTo(1 - (732 + 22) / 841.89, 2);
    expect(byName.agree.type).toBe('checkbox');
    expect(byName.plan).toMatchObject({ type: 'radio', options: [expect.objectContaining({ value: 'basic' }), expect.objectContaining({ value: 'premium' })] });
    expect(byName.country).toMatchObject({ type: 'choice', options: [{ value: 'Austria' }, { value: 'Belgium' }, { value: 'France' }] });
    expect(byName.customer_signature.type).toBe('signature');

    const thumb = await get(d.urls.thumb!);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    expect(thumb.bytes.readUInt32BE(16)).toBe(200);
    const page1 = await get(d.urls.page1!);
    expect(page1.bytes.readUInt32BE(16)).toBe(1200);

    const pdf = await get(d.urls.pdf!);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="account form\.pdf"/);
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pdf.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(pdf.headers.get('cache-control')).toMatch(/^private/);
    expect(sha(pdf.bytes)).toBe(sha(form));
    const original = await get(d.urls.original);
    expect(original.headers.get('content-disposition')).toMatch(/^attachment;/);

    const part = await get(d.urls.pdf!, { Range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-9/${form.length}`);
    expect(part.bytes.toString('latin1')).toBe(Buffer.from(form).subarray(0, 10).toString('latin1'));
  });

  it('serves only signed, unexpired URLs of the right document and variant', async () => {
    const { id, customerToken } = await engagement();
    const { body } = await upload(customerToken, id, fx.png(40, 30), 'photo.png');
    const d = body.document;
    expect(d).toMatchObject({ kind: 'image', width: 40, height: 30, uploadedBy: { role: 'customer' } });
    expect(d.urls.media).not.toBeNull();
    expect((await get(d.urls.media!)).headers.get('content-disposition')).toMatch(/^inline/);
    const tampered = d.urls.media!.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await get(tampered)).status).toBe(403);
    const otherVariant = d.urls.media!.replace('variant=media', 'variant=original');
    const refused = await get(otherVariant);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.bytes.toString())).toMatchObject({ code: 'forbidden' });
    const expired = new UrlSigner(urlSecretOf(config), 60, () => Date.now() - 3_600_000).url(d.id, 'media');
    expect(JSON.parse((await get(expired)).bytes.toString())).toMatchObject({ code: 'forbidden', message: expect.stringContaining('expired') });
  });

  it('authorizes uploads: no token → unauthorized, another engagement’s customer → forbidden, supervisor → read only', async () => {
    const mine = await engagement();
    const other = await engagement('Olga Other');
    const png = fx.png(8, 8);
    expect(await upload(null, mine.id, png, 'a.png')).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(await upload(other.customerToken, mine.id, png, 'a.png')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await upload(staff.agent2.token, mine.id, png, 'a.png')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await upload(staff.supervisor.token, mine.id, png, 'a.png')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    await upload(mine.customerToken, mine.id, png, 'a.png');
    const list = await fetch(`${base}${DOC_API.documents(mine.id)}`, { headers: { Authorization: `Bearer ${staff.supervisor.token}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { documents: DocumentView[] }).documents).toHaveLength(1);
    const foreign = await fetch(`${base}${DOC_API.documents(mine.id)}`, { headers: { Authorization: `Bearer ${other.customerToken}` } });
    expect(foreign.status).toBe(403);
  });

  it('refuses bad files with a code and a reason, and the room stays usable', async () => {
    const { id, customerToken } = await engagement();
    const cases: Array<[string, Uint8Array, number, string, string]> = [
      ['invoice.pdf', fx.htmlFile(), 415, 'unsupported_type', 'HTML'],
      ['logo.png', fx.svgFile(), 415, 'unsupported_type', 'SVG'],
      ['statement.pdf', await fx.pdfHtmlPolyglot(), 415, 'unsupported_type', 'polyglot'],
      ['empty.pdf', new Uint8Array(0), 400, 'empty_file', 'empty'],
      ['broken.pdf', fx.damagedPdf(), 422, 'damaged_file', 'damaged'],
      ['locked.pdf', fx.encryptedPdf(), 422, 'encrypted_file', 'password'],
      ['huge.png', fx.pngHeaderOnly(20_000, 10_000), 413, 'image_too_large', '200 megapixels'],
    ];
    for (const [name, bytes, status, code, words] of cases) {
      const r = await upload(customerToken, id, bytes, name);
      expect([name, r.status, r.body.code]).toEqual([name, status, code]);
      expect(r.body.message).toContain(words);
    }
    // One byte over the limit, streamed without a Content-Length: stopped by counting.
    const over = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(12 * MB + 1 - 9, 0x20)]);
    const streamed = await fetch(`${base}${DOC_API.documents(id)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${customerToken}`, 'Content-Type': 'application/octet-stream', 'X-File-Name': 'big.pdf' },
      body: new Blob([over]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: 'file_too_large', message: expect.stringContaining('12 MB') });
    const exact = await upload(customerToken, id, over.subarray(0, 12 * MB), 'exact.pdf');
    expect(exact.body.code).not.toBe('file_too_large');
    const fine = await upload(customerToken, id, fx.png(4, 4), 'fine.png');
    expect(fine.status).toBe(201);
    const rows = await env.db.dataSource.query(`SELECT count(*)::int AS n FROM documents WHERE engagement_id = $1`, [id]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps a customer-only field value away from the agent and the supervisor', async () => {
    const { id, customerToken } = await engagement();
    const { body } = await upload(staff.agent.token, id, await fx.formPdf(), 'form.pdf');
    const docId = body.document.id;
    const agent = await connect(staff.agent.token);
    const customer = await connect(customerToken);
    const supervisor = await connect(staff.supervisor.token);
    await ok(agent, 'engagement/join', { engagementId: id });
    await ok(agent, DOC_EV.open, { engagementId: id });
    await ok(supervisor, DOC_EV.open, { engagementId: id });
    const seenByStaff: string[] = [];
    agent.onAny((event, payload) => seenByStaff.push(JSON.stringify([event, payload])));
    supervisor.onAny((event, payload) => seenByStaff.push(JSON.stringify([event, payload])));

    const policy = await ok<{ field: { customerOnly: boolean } }>(agent, DOC_EV.fieldPolicy, { engagementId: id, documentId: docId, name: 'iban', customerOnly: true });
    expect(policy.field.customerOnly).toBe(true);
    expect(await send(customer, DOC_EV.fieldPolicy, { engagementId: id, documentId: docId, name: 'iban', customerOnly: false })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const agentSees = next(agent, DOC_EV.fieldChanged, (p) => p.field.name === 'iban');
    const supervisorSees = next(supervisor, DOC_EV.fieldChanged, (p) => p.field.name === 'iban');
    const mine = await ok<{ field: { value: unknown } }>(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'iban', value: 'DE89370400440532013000' });
    expect(mine.field.value).toBe('DE89370400440532013000');
    expect((await agentSees).field).toMatchObject({ name: 'iban', value: null, filled: true, customerOnly: true, by: 'customer' });
    expect((await supervisorSees).field).toMatchObject({ value: null, filled: true });
    expect(await send(agent, DOC_EV.field, { engagementId: id, documentId: docId, name: 'iban', value: 'XX' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(supervisor, DOC_EV.field, { engagementId: id, documentId: docId, name: 'full_name', value: 'X' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Supervisors read (open, annotations) and write nothing.
    expect(await send(supervisor, DOC_EV.annotations, { engagementId: id, documentId: docId })).toMatchObject({ ok: true });
    expect(await send(supervisor, DOC_EV.annotate, { engagementId: id, annotation: { id: '99999999-9999-4999-8999-999999999999', documentId: docId, page: 1, tool: 'pen', points: [[0.1, 0.1]], width: 0.01 } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(supervisor, DOC_EV.present, { engagementId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // Another engagement's customer cannot reach this room's documents.
    const stranger = await connect((await engagement('Sid Stranger')).customerToken);
    expect(await send(stranger, DOC_EV.open, { engagementId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(stranger, DOC_EV.annotations, { engagementId: id, documentId: docId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // A late look (doc/open, REST list) hides it too; the customer's own view has it.
    const reopened = await ok<{ room: DocRoomView }>(agent, DOC_EV.open, { engagementId: id });
    expect(reopened.room.documents[0].fields.find((f) => f.name === 'iban')).toMatchObject({ value: null, filled: true });
    const listed = (await (await fetch(`${base}${DOC_API.documents(id)}`, { headers: { Authorization: `Bearer ${staff.agent.token}` } })).json()) as { documents: DocumentView[] };
    expect(listed.documents[0].fields.find((f) => f.name === 'iban')?.value).toBeNull();
    const customerRoom = await ok<{ room: DocRoomView }>(customer, DOC_EV.open, { engagementId: id });
    expect(customerRoom.room.documents[0].fields.find((f) => f.name === 'iban')?.value).toBe('DE89370400440532013000');
    expect(seenByStaff.join('\n')).not.toContain('DE89370400440532013000');
    expect(seenByStaff.length).toBeGreaterThan(0);
  });

  it('relays strokes, persists annotations idempotently, exports marks and values, and signs with a verifiable audit page', async () => {
    const { id, customerToken } = await engagement('Carla Customer');
    const form = await fx.formPdf();
    const { body } = await upload(staff.agent.token, id, form, 'Contract.pdf');
    const docId = body.document.id;
    const agent = await connect(staff.agent.token);
    const customer = await connect(customerToken);
    await ok(agent, 'engagement/join', { engagementId: id });
    await ok(agent, DOC_EV.open, { engagementId: id });
    await ok(customer, DOC_EV.open, { engagementId: id });

    const strokeSeen = next(customer, DOC_EV.strokeDrawn);
    const strokeId = '11111111-1111-4111-8111-111111111111';
    await ok(agent, DOC_EV.stroke, { engagementId: id, documentId: docId, id: strokeId, page: 1, tool: 'pen', points: [[0.1, 0.1], [0.2, 0.2]], width: 0.004, done: false });
    expect(await strokeSeen).toMatchObject({ id: strokeId, color: '#2563eb', by: 'agent', points: [[0.1, 0.1], [0.2, 0.2]] });

    const marks = [
      { id: strokeId, tool: 'pen', points: [[0.1, 0.1], [0.2, 0.2], [0.3, 0.15]] },
      { id: '22222222-2222-4222-8222-222222222222', tool: 'highlighter', points: [[0.1, 0.5], [0.6, 0.5]] },
      { id: '33333333-3333-4333-8333-333333333333', tool: 'rect', points: [[0.6, 0.6], [0.8, 0.7]] },
      { id: '44444444-4444-4444-8444-444444444444', tool: 'ellipse', points: [[0.6, 0.75], [0.8, 0.85]] },
      { id: '55555555-5555-4555-8555-555555555555', tool: 'arrow', points: [[0.2, 0.9], [0.4, 0.8]] },
    ];
    const added = next(customer, DOC_EV.annotationAdded, (p) => p.annotation.id === strokeId);
    for (const m of marks) await ok(agent, DOC_EV.annotate, { engagementId: id, annotation: { ...m, documentId: docId, page: 1, width: 0.004 } });
    expect((await added).annotation).toMatchObject({ color: '#2563eb', author: { role: 'agent', name: 'Alex Agent' } });
    const note = { id: '66666666-6666-4666-8666-666666666666', documentId: docId, page: 1, tool: 'text', points: [[0.55, 0.3]], width: 0.002, text: 'Please check this clause' };
    const first = await ok<{ annotation: { color: string; createdAt: string } }>(customer, DOC_EV.annotate, { engagementId: id, annotation: note });
    expect(first.annotation.color).toBe('#db2777');
    const redo = await ok<{ annotation: { createdAt: string } }>(customer, DOC_EV.annotate, { engagementId: id, annotation: note });
    expect(redo.annotation.createdAt).toBe(first.annotation.createdAt);
    const temp = '77777777-7777-4777-8777-777777777777';
    await ok(customer, DOC_EV.annotate, { engagementId: id, annotation: { ...note, id: temp, text: 'erase me' } });
    const removed = next(agent, DOC_EV.annotationRemoved, (p) => p.id === temp);
    await ok(customer, DOC_EV.erase, { engagementId: id, documentId: docId, id: temp });
    await removed;
    const { annotations } = await ok<{ annotations: unknown[] }>(agent, DOC_EV.annotations, { engagementId: id, documentId: docId });
    expect(annotations).toHaveLength(6);

    await ok(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'iban', value: 'AT611904300234573201' });
    await ok(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'agree', value: true });
    await ok(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'plan', value: 'premium' });
    expect(await send(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'plan', value: 'gold' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    const marked = await ok<{ document: DocumentView }>(agent, DOC_EV.export, { engagementId: id, documentId: docId, complete: false });
    expect(marked.document).toMatchObject({ origin: 'export', derivedFrom: docId, kind: 'pdf', status: 'ready', name: 'Contract (marked).pdf' });
    const markedText = await textOf((await get(marked.document.urls.original)).bytes);
    expect(markedText).toContain('Please check this clause');
    expect(markedText).not.toContain('erase me');

    expect(await send(agent, DOC_EV.sign, { engagementId: id, documentId: docId, field: 'customer_signature', image: fx.signatureDataUrl() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(customer, DOC_EV.sign, { engagementId: id, documentId: docId, field: 'customer_signature', image: `data:image/png;base64,${Buffer.from('<svg/>').toString('base64')}` })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const signed = await ok<{ signature: { field: string; page: number } }>(customer, DOC_EV.sign, { engagementId: id, documentId: docId, field: 'customer_signature', image: fx.signatureDataUrl() });
    expect(signed.signature).toMatchObject({ field: 'customer_signature', page: 1 });

    const refused = await send(customer, DOC_EV.export, { engagementId: id, documentId: docId, complete: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'fields_required', message: expect.stringContaining('full_name') } });
    await ok(customer, DOC_EV.field, { engagementId: id, documentId: docId, name: 'full_name', value: 'Carla Customer' });

    const done = await ok<{ document: DocumentView }>(customer, DOC_EV.export, { engagementId: id, documentId: docId, complete: true });
    expect(done.document).toMatchObject({ origin: 'signed', derivedFrom: docId, pages: 2, fields: [] });
    const final = (await get(done.document.urls.original)).bytes;
    expect(done.document.sha256).toBe(sha(final));
    const text = await textOf(final);
    expect(text).toContain('Carla Customer');
    expect(text).toContain('AT611904300234573201');
    expect(text).toContain('Please check this clause');
    const before = /SHA-256 before[^\n]*\n\s*([0-9a-f]{64})/.exec(text)?.[1];
    const after = /SHA-256 after \(the signed content: the first (\d+) bytes of this file\):\s*\n\s*([0-9a-f]{64})/.exec(text);
    expect(before).toBe(sha(form));
    expect(after).not.toBeNull();
    const n = Number(after![1]);
    expect(n).toBeLessThan(final.length);
    expect(sha(final.subarray(0, n))).toBe(after![2]);
    expect(text).toContain(`Engagement: ${id}`);
    expect(text).toMatch(/Carla Customer \(customer\), signed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    // The signed prefix alone is a complete PDF (one page, flattened, signature embedded).
    const prefixInfo = await textOf(final.subarray(0, n));
    expect(prefixInfo).toContain('Carla Customer');
    expect(prefixInfo).not.toContain('audit page');
    // Both read without a reader's complaint (pdf-lib's flatten once left dangling widget references).
    expect(await complaintsOf(final)).toBe('');
    expect(await complaintsOf(final.subarray(0, n))).toBe('');

    const [event] = await env.db.dataSource.query(`SELECT actor, detail FROM engagement_events WHERE engagement_id = $1 AND type = 'doc.signed'`, [id]);
    expect(event.actor).toBe('customer');
    expect(event.detail).toMatchObject({ sha256Before: sha(form), sha256After: after![2], signedBytes: n, sha256File: sha(final), signers: [expect.objectContaining({ name: 'Carla Customer', role: 'customer' })] });
    const types: Array<{ type: string }> = await env.db.dataSource.query(`SELECT type FROM engagement_events WHERE engagement_id = $1 AND type LIKE 'doc.%' ORDER BY id`, [id]);
    expect(types.map((t) => t.type)).toEqual(['doc.uploaded', 'doc.opened', 'doc.exported', 'doc.signature_placed', 'doc.signed']);
    // The original is untouched.
    expect(sha((await get(body.document.urls.original)).bytes)).toBe(sha(form));
  });

  it('converts DOCX and flat ODT without network and without following links (SSRF canary, file://)', async () => {
    let hits = 0;
    const canary: HttpServer = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => canary.listen(0, '127.0.0.1', () => r()));
    const port = (canary.address() as AddressInfo).port;
    try {
      const { id, customerToken } = await engagement();
      const customer = await connect(customerToken);
      await ok(customer, DOC_EV.open, { engagementId: id });
      const docx = fx.docx('Hello from the canary document', { linkedImage: `http://127.0.0.1:${port}/canary` });
      const rooms: DocRoomView[] = [];
      customer.on(DOC_EV.room, (r: DocRoomView) => rooms.push(r));
      const started = Date.now();
      const up = await upload(customerToken, id, docx, 'letter.docx');
      expect(up.status).toBe(201);
      expect(up.body.document).toMatchObject({ status: 'converting', kind: 'pdf', sourceType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', urls: { pdf: null } });
      const ready = await next(customer, DOC_EV.room, (r) => r.documents.some((d) => d.id === up.body.document.id && d.status !== 'converting'));
      const docxMs = Date.now() - started;
      const converted = ready.documents.find((d) => d.id === up.body.document.id)!;
      expect(converted.error).toBeNull();
      expect(converted).toMatchObject({ status: 'ready', pages: 1 });
      expect(rooms.some((r) => r.documents.some((d) => d.id === converted.id && d.status === 'converting'))).toBe(true);
      expect(await textOf((await get(converted.urls.pdf!)).bytes)).toContain('Hello from the canary document');
      expect((await get(converted.urls.original)).headers.get('content-disposition')).toMatch(/^attachment/);

      const hostname = readFileSync('/etc/hostname', 'utf8').trim();
      const fodt = fx.flatOdt('Flat document body', { fileUrl: 'file:///etc/hostname', imageUrl: `http://127.0.0.1:${port}/canary-image` });
      const up2 = await upload(customerToken, id, fodt, 'notes.fodt');
      const flat = await waitReady(id, customerToken, up2.body.document.id);
      expect(flat.status).toBe('ready');
      const flatText = await textOf((await get(flat.urls.pdf!)).bytes);
      expect(flatText).toContain('Flat document body');
      expect(flatText.split(/\s+/)).not.toContain(hostname);
      expect(hits).toBe(0);
      process.stdout.write(`${JSON.stringify({ metric: 'doc.docx_convert_ms', value: docxMs })}\n`);
    } finally {
      canary.close();
    }
  });

  it('enforces the per-engagement quota, and measures upload → viewable for a 10 MB PDF', async () => {
    const { id, customerToken } = await engagement();
    const big = await fx.textPdf(20, { padBytes: 10 * MB });
    const started = Date.now();
    const first = await upload(customerToken, id, big, 'big.pdf');
    const ms = Date.now() - started;
    expect(first.body.document).toMatchObject({ status: 'ready', pages: 20 });
    process.stdout.write(`${JSON.stringify({ metric: 'doc.upload_to_view_10mb_ms', value: ms, bytes: big.length })}\n`);
    expect((await upload(customerToken, id, big, 'big2.pdf')).status).toBe(201);
    const third = await upload(customerToken, id, big, 'big3.pdf');
    expect(third).toMatchObject({ status: 413, body: { code: 'quota_exceeded', message: expect.stringContaining('25 MB') } });
  });

  it('decides the size limit from the first bytes: a video may be larger than a document', async () => {
    const { id, customerToken } = await engagement();
    const bulk = Buffer.alloc(15 * MB, 1);
    const video = await upload(customerToken, id, Buffer.concat([fx.mp4Head(), bulk]), 'long.mp4');
    expect(video).toMatchObject({ status: 201, body: { document: { kind: 'video' } } });
    const other = await engagement();
    const pdf = await upload(other.customerToken, other.id, Buffer.concat([Buffer.from('%PDF-1.7\n'), bulk]), 'long.pdf');
    expect(pdf).toMatchObject({ status: 413, body: { code: 'file_too_large', message: expect.stringContaining('12 MB') } });
  });

  it('plays video in sync and serves it with Range; runs the shared calculator', async () => {
    const { id, customerToken } = await engagement();
    const mp4 = Buffer.concat([fx.mp4Head(), Buffer.alloc(100_000, 1)]);
    const { body } = await upload(customerToken, id, mp4, 'clip.mp4');
    expect(body.document).toMatchObject({ kind: 'video', sourceType: 'video/mp4', status: 'ready' });
    const part = await get(body.document.urls.media!, { Range: 'bytes=1000-' });
    expect(part.status).toBe(206);
    expect(part.bytes.length).toBe(mp4.length - 1000);
    expect(part.headers.get('content-type')).toBe('video/mp4');
    const agent = await connect(staff.agent.token);
    const customer = await connect(customerToken);
    await ok(agent, 'engagement/join', { engagementId: id });
    await ok(agent, DOC_EV.open, { engagementId: id });
    const seen = next(agent, DOC_EV.videoChanged);
    const mine = await ok<{ video: { playing: boolean; position: number } }>(customer, DOC_EV.video, { engagementId: id, documentId: body.document.id, action: 'play', position: 12.5, rate: 1 });
    expect(mine.video).toMatchObject({ playing: true, position: 12.5 });
    expect((await seen).video).toMatchObject({ playing: true, position: 12.5, by: 'customer' });
    const calcSeen = next(agent, DOC_EV.room, (r) => r.calculator.input === '1/0');
    expect(await ok(customer, DOC_EV.calc, { engagementId: id, input: '1/0' })).toMatchObject({ calculator: { ok: false, result: 'Cannot divide by zero', by: 'customer' } });
    expect((await calcSeen).calculator).toMatchObject({ ok: false, result: 'Cannot divide by zero' });
    expect(await ok(agent, DOC_EV.calc, { engagementId: id, input: '12.5*(3+4)' })).toMatchObject({ calculator: { ok: true, result: '87.5' } });
    // The presenter moves the others' view; a follower may not.
    expect(await send(customer, DOC_EV.view, { engagementId: id, view: { documentId: null, page: 2, zoom: 1, scrollX: 0, scrollY: 0.5 } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const viewSeen = next(customer, DOC_EV.viewChanged);
    await ok(agent, DOC_EV.view, { engagementId: id, view: { documentId: null, page: 2, zoom: 1.5, scrollX: 0, scrollY: 0.5 } });
    expect(await viewSeen).toMatchObject({ view: { page: 2, zoom: 1.5 }, by: 'agent' });
  });

  it('exports a marked PNG as a one-page PDF with a signature on a chosen spot; refuses GIF export with a reason', async () => {
    const { id, customerToken } = await engagement();
    const customer = await connect(customerToken);
    const { body } = await upload(customerToken, id, fx.png(400, 300), 'receipt.png');
    const docId = body.document.id;
    await ok(customer, DOC_EV.annotate, { engagementId: id, annotation: { id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', documentId: docId, page: 1, tool: 'text', points: [[0.1, 0.2]], width: 0.002, text: 'Total is wrong' } });
    expect(await send(customer, DOC_EV.sign, { engagementId: id, documentId: docId, field: null, image: fx.signatureDataUrl() })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const s = await ok<{ signature: { page: number; field: null } }>(customer, DOC_EV.sign, { engagementId: id, documentId: docId, field: null, page: 1, rect: { x: 0.5, y: 0.7, w: 0.4, h: 0.2 }, image: fx.signatureDataUrl() });
    expect(s.signature).toMatchObject({ page: 1, field: null });
    const done = await ok<{ document: DocumentView }>(customer, DOC_EV.export, { engagementId: id, documentId: docId, complete: true });
    expect(done.document).toMatchObject({ origin: 'signed', kind: 'pdf', pages: 2 });
    const text = await textOf((await get(done.document.urls.original)).bytes);
    expect(text).toContain('Total is wrong');
    expect(text).toContain('Source document: receipt.png');
    const gif = await upload(customerToken, id, fx.gifHeader(10, 10), 'anim.gif');
    expect(await send(customer, DOC_EV.export, { engagementId: id, documentId: gif.body.document.id, complete: false })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: expect.stringContaining('GIF') } });
  });

  it('deletes the documents (rows and bytes) of engagements ended longer ago than the retention', async () => {
    const old = await engagement();
    const recent = await engagement();
    await upload(old.customerToken, old.id, fx.png(8, 8), 'old.png');
    await upload(recent.customerToken, recent.id, fx.png(8, 8), 'recent.png');
    await engagements.end(old.id, 'agent', 'agent');
    await engagements.end(recent.id, 'agent', 'agent');
    await env.db.dataSource.query(`UPDATE engagements SET ended_at = now() - interval '2 days' WHERE id = $1`, [old.id]);
    const storageDir = config.get('documents').storageDir;
    expect(await stat(path.join(storageDir, old.id)).then(() => true)).toBe(true);
    expect(await app.get(DocumentRetentionSweeper).sweep()).toBeGreaterThanOrEqual(1);
    const left: Array<{ engagement_id: string }> = await env.db.dataSource.query(`SELECT engagement_id FROM documents WHERE engagement_id = ANY($1::uuid[])`, [[old.id, recent.id]]);
    expect(left.map((r) => r.engagement_id)).toEqual([recent.id]);
    await expect(stat(path.join(storageDir, old.id))).rejects.toThrow();
    expect(await stat(path.join(storageDir, recent.id)).then(() => true)).toBe(true);
    const [audit] = await env.db.dataSource.query(`SELECT detail FROM engagement_events WHERE engagement_id = $1 AND type = 'doc.deleted'`, [old.id]);
    expect(audit.detail).toMatchObject({ reason: 'retention', documents: 1 });
  });

  /** What poppler's pdftotext writes to stderr about a PDF (syntax errors, broken xref entries). */
  async function complaintsOf(bytes: Uint8Array): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-check-'));
    try {
      const file = path.join(dir, 'x.pdf');
      await writeFile(file, bytes);
      const r = spawnSync('pdftotext', [file, '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
      return r.stderr.trim();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function textOf(bytes: Uint8Array): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'engage-text-'));
    try {
      const file = path.join(dir, 'x.pdf');
      await writeFile(file, bytes);
      return await pdfText(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
