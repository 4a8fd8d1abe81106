import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createLogger } from '../common/logger';
import { queryReturning } from '../database/returning';
import { AppConfig } from '../config/app-config';
import { records } from './document-records';
import type { DocumentStorage } from './storage';
import { DOCUMENT_STORAGE } from './storage.token';

/** Deletes the documents (rows and bytes) of engagements that ended more than DOC_RETENTION_DAYS ago. */
@Injectable()
export class DocumentRetentionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger('doc-retention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly ds: DataSource,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const everyMs = this.config.get('documents').sweepIntervalS * 1000;
    this.timer = setInterval(() => void this.sweep().catch((err) => this.log.error({ err }, 'retention sweep failed')), everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass; resolves the number of engagements whose documents were deleted. Never two at once. */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const seconds = this.config.get('documents').retentionDays * 86_400;
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT DISTINCT e.id FROM engagements e JOIN documents d ON d.engagement_id = e.id
       WHERE e.state = 'ended' AND e.ended_at < now() - make_interval(secs => $1) LIMIT 200`,
      [seconds],
    );
    for (const { id } of rows) {
      const count = await this.ds.transaction(async (m) => {
        const deleted = await queryReturning<{ id: string }>(m, `DELETE FROM documents WHERE engagement_id = $1 RETURNING id`, [id]);
        await records.audit(m, id, 'doc.deleted', 'system', { reason: 'retention', documents: deleted.length, retentionDays: this.config.get('documents').retentionDays });
        return deleted.length;
      });
      // Bytes after the rows: a crash in between leaves orphan bytes, never rows pointing at missing bytes.
      await this.storage.deleteEngagement(id);
      this.log.info({ eid: id, documents: count }, 'documents deleted after retention');
    }
    return rows.length;
  }
}
