import type { ChatMessage, SenderRole } from '@engage/protocol';
import { EventEmitter } from 'node:events';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { OverloadedError } from '../common/errors';

export interface NewMessage {
  engagementId: string;
  clientId: string;
  senderRole: SenderRole;
  senderName: string;
  body: string;
}

export interface WriteResult {
  message: ChatMessage;
  /** The (engagementId, clientId) pair was already stored: `message` is the stored one. */
  duplicate: boolean;
}

export interface MessageWriterOptions {
  connectionString: string;
  /** Messages accepted but not yet committed, at most; beyond it write() answers `overloaded`. */
  queueMax: number;
  /** Rows per INSERT at most. */
  maxBatch?: number;
  log: Logger;
  /** Called per message with the time from write() to commit, in ms. */
  onPersisted?: (latencyMs: number) => void;
}

/** Events of MessageWriter. */
export interface MessageWriterEvents {
  /** Newly stored messages of one commit, in seq order per engagement (duplicates excluded). */
  committed: [messages: ChatMessage[]];
  /** Drained, pool ended; write() refuses from now on. */
  closed: [];
}

interface Entry {
  msg: NewMessage;
  seq: number;
  sentAt: Date;
  enqueuedAt: number;
  resolve(r: WriteResult): void;
  reject(err: unknown): void;
  promise: Promise<WriteResult>;
}

type Row = { engagement_id: string; client_id: string; seq: number; sent_at: Date; sender_role: SenderRole; sender_name: string; body: string };

/**
 * Group-commit chat persistence: writes queue up while one flush runs, and each flush stores
 * everything queued so far with one multi-row INSERT.
 *
 * Sequence numbers come from an in-memory counter per engagement (initialised from MAX(seq)), so
 * they are assigned in arrival order. They are increasing but may have gaps: a duplicate client id
 * or a failed transaction consumes numbers that are never stored. Single-node by design; several
 * nodes would need the counter in the database.
 *
 * Acknowledgement (the promise of write()) and the `committed` event come only after COMMIT, and
 * commits are delivered in queue order.
 */
export class MessageWriter extends EventEmitter<MessageWriterEvents> {
  readonly #pool: Pool;
  readonly #queue: Entry[] = [];
  /** Accepted and not yet settled, by "engagement\0clientId": a retry joins the pending write. */
  readonly #pending = new Map<string, Entry>();
  readonly #pendingPerEngagement = new Map<string, number>();
  readonly #counters = new Map<string, number>();
  readonly #loading = new Map<string, Promise<void>>();
  readonly #forgotten = new Set<string>();
  #reserved = 0;
  #inFlight = 0;
  #delivered: Promise<void> = Promise.resolve();
  #idleWaiters: Array<() => void> = [];
  #closing: Promise<void> | undefined;
  readonly #maxBatch: number;
  /** One flush at a time: see #store. */
  readonly #maxInFlight = 1;

  private constructor(private readonly opts: MessageWriterOptions) {
    super();
    this.#maxBatch = opts.maxBatch ?? 1000;
    this.#pool = new Pool({ connectionString: opts.connectionString, max: this.#maxInFlight + 1 });
    this.#pool.on('error', (err) => opts.log.error({ err }, 'idle writer connection failed'));
  }

  static async create(opts: MessageWriterOptions): Promise<MessageWriter> {
    const w = new MessageWriter(opts);
    await w.#pool.query('SELECT 1');
    return w;
  }

  /** Messages accepted and not yet committed. */
  get depth(): number {
    return this.#reserved;
  }

  /** Stores one message; resolves after COMMIT. Rejects with OverloadedError when the queue is full. */
  async write(msg: NewMessage): Promise<WriteResult> {
    if (this.#closing) throw new OverloadedError(1);
    const key = `${msg.engagementId}\0${msg.clientId}`;
    const same = this.#pending.get(key);
    if (same) return same.promise.then((r) => ({ message: r.message, duplicate: true }));
    if (this.#reserved >= this.opts.queueMax) throw new OverloadedError(this.#retryAfter());

    const entry = { msg, seq: 0, sentAt: new Date(), enqueuedAt: performance.now() } as Entry;
    entry.promise = new Promise<WriteResult>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.#reserved++;
    this.#pending.set(key, entry);
    this.#pendingPerEngagement.set(msg.engagementId, (this.#pendingPerEngagement.get(msg.engagementId) ?? 0) + 1);
    try {
      if (!this.#counters.has(msg.engagementId)) await this.#loadCounter(msg.engagementId);
    } catch (err) {
      this.#settle(entry);
      entry.promise.catch(() => undefined);
      entry.reject(err);
      throw err;
    }
    // Counter read and queue push happen in one synchronous step: queue order = seq order.
    const seq = this.#counters.get(msg.engagementId)! + 1;
    this.#counters.set(msg.engagementId, seq);
    entry.seq = seq;
    this.#queue.push(entry);
    this.#pump();
    return entry.promise;
  }

  /** Frees the counter of an ended engagement once nothing of it is pending. */
  forget(engagementId: string): void {
    if (this.#pendingPerEngagement.has(engagementId)) this.#forgotten.add(engagementId);
    else this.#counters.delete(engagementId);
  }

  /** Resolves when every accepted message is committed (or failed). */
  drain(): Promise<void> {
    if (this.#reserved === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuses new writes, flushes the pending ones, ends the pool, emits `closed`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.drain();
      await this.#pool.end();
      this.opts.log.info('message writer drained and closed');
      this.emit('closed');
    })();
    return this.#closing;
  }

  #retryAfter(): number {
    return 1;
  }

  #loadCounter(engagementId: string): Promise<void> {
    let p = this.#loading.get(engagementId);
    if (!p) {
      p = this.#pool
        .query<{ max: number }>('SELECT COALESCE(MAX(seq), 0)::int AS max FROM chat_messages WHERE engagement_id = $1', [engagementId])
        .then((r) => {
          if (!this.#counters.has(engagementId)) this.#counters.set(engagementId, r.rows[0].max);
        })
        .finally(() => this.#loading.delete(engagementId));
      this.#loading.set(engagementId, p);
    }
    return p;
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      const stored = this.#store(batch);
      // Deliveries are chained so that commits are announced in queue (= seq) order.
      this.#delivered = this.#delivered.then(() => stored.then((rows) => this.#deliver(batch, rows), (err) => this.#fail(batch, err)));
      void stored.then(
        () => undefined,
        () => undefined,
      ).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /**
   * One statement, one round trip, committed on its own (autocommit): the INSERT and the
   * engagement's last_seq move together. With one flush in flight at a time, two flushes never
   * lock the same engagement rows against each other.
   */
  async #store(batch: Entry[]): Promise<Map<string, Row & { inserted: boolean }>> {
    const inserted = await this.#pool.query<Row>(
      `WITH ins AS (
         INSERT INTO chat_messages (engagement_id, seq, client_id, sender_role, sender_name, body, sent_at)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
         ON CONFLICT (engagement_id, client_id) DO NOTHING
         RETURNING engagement_id, client_id, seq, sent_at, sender_role, sender_name, body
       ), upd AS (
         UPDATE engagements e SET last_seq = GREATEST(e.last_seq, m.seq), last_activity_at = now()
         FROM (SELECT engagement_id, MAX(seq) AS seq FROM ins GROUP BY engagement_id) m WHERE e.id = m.engagement_id
       )
       SELECT * FROM ins`,
      [
        batch.map((e) => e.msg.engagementId),
        batch.map((e) => e.seq),
        batch.map((e) => e.msg.clientId),
        batch.map((e) => e.msg.senderRole),
        batch.map((e) => e.msg.senderName),
        batch.map((e) => e.msg.body),
        batch.map((e) => e.sentAt),
      ],
    );
    const rows = new Map<string, Row & { inserted: boolean }>();
    for (const r of inserted.rows) rows.set(`${r.engagement_id}\0${r.client_id}`, { ...r, inserted: true });
    const missing = batch.filter((e) => !rows.has(`${e.msg.engagementId}\0${e.msg.clientId}`));
    if (missing.length > 0) {
      // Client ids stored before (a resend after a lost acknowledgement): answer with the stored row.
      const existing = await this.#pool.query<Row>(
        `SELECT m.engagement_id, m.client_id, m.seq, m.sent_at, m.sender_role, m.sender_name, m.body
         FROM chat_messages m JOIN unnest($1::uuid[], $2::text[]) AS k(eid, cid) ON m.engagement_id = k.eid AND m.client_id = k.cid`,
        [missing.map((e) => e.msg.engagementId), missing.map((e) => e.msg.clientId)],
      );
      for (const r of existing.rows) rows.set(`${r.engagement_id}\0${r.client_id}`, { ...r, inserted: false });
    }
    return rows;
  }

  #deliver(batch: Entry[], rows: Map<string, Row & { inserted: boolean }>): void {
    const fresh: ChatMessage[] = [];
    const results: Array<[Entry, WriteResult | undefined]> = [];
    for (const e of batch) {
      const r = rows.get(`${e.msg.engagementId}\0${e.msg.clientId}`);
      if (!r) {
        results.push([e, undefined]);
        continue;
      }
      const message: ChatMessage = { engagementId: r.engagement_id, seq: r.seq, clientId: r.client_id, sender: { role: r.sender_role, name: r.sender_name }, body: r.body, sentAt: r.sent_at.toISOString() };
      if (r.inserted) fresh.push(message);
      results.push([e, { message, duplicate: !r.inserted }]);
    }
    try {
      if (fresh.length > 0) this.emit('committed', fresh);
    } catch (err) {
      this.opts.log.error({ err }, 'a committed listener failed');
    }
    const now = performance.now();
    for (const [e, result] of results) {
      this.#settle(e);
      if (result) {
        this.opts.onPersisted?.(now - e.enqueuedAt);
        e.resolve(result);
      } else {
        e.reject(new Error('message vanished between INSERT and lookup'));
      }
    }
  }

  #fail(batch: Entry[], err: unknown): void {
    this.opts.log.error({ err, size: batch.length }, 'chat batch failed; messages answered with an error');
    for (const e of batch) {
      this.#settle(e);
      e.reject(err);
    }
  }

  #settle(e: Entry): void {
    const key = `${e.msg.engagementId}\0${e.msg.clientId}`;
    if (this.#pending.get(key) === e) this.#pending.delete(key);
    const left = (this.#pendingPerEngagement.get(e.msg.engagementId) ?? 1) - 1;
    if (left > 0) this.#pendingPerEngagement.set(e.msg.engagementId, left);
    else {
      this.#pendingPerEngagement.delete(e.msg.engagementId);
      if (this.#forgotten.delete(e.msg.engagementId)) this.#counters.delete(e.msg.engagementId);
    }
    this.#reserved--;
    if (this.#reserved === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }
}
