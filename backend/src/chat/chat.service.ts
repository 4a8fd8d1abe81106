import { Injectable } from '@nestjs/common';
import { LIMITS, type ClientResults, type SenderRole } from '@engage/protocol';
import { DataSource, MoreThan } from 'typeorm';
import { LiveEngagements } from '../engagements/live-engagements';
import { toChatMessage } from '../engagements/engagements.service';
import { MetricsService } from '../metrics/metrics.service';
import { ChatMessageEntity } from './chat-message.entity';
import { MessageWriter } from './message-writer';

/** PostgreSQL text can't hold NUL; replace it rather than fail a whole batch. */
const clean = (s: string) => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);

@Injectable()
export class ChatService {
  constructor(
    private readonly writer: MessageWriter,
    private readonly ds: DataSource,
    private readonly live: LiveEngagements,
    private readonly metrics: MetricsService,
  ) {
    writer.on('committed', (messages) => {
      for (const m of messages) {
        this.live.bumpLastSeq(m.engagementId, m.seq);
        this.metrics.messages.inc({ sender: m.sender.role });
      }
    });
  }

  async send(input: { engagementId: string; clientId: string; body: string; role: SenderRole; name: string }): Promise<ClientResults['chat/send']> {
    const { message, duplicate } = await this.writer.write({ engagementId: input.engagementId, clientId: clean(input.clientId), senderRole: input.role, senderName: clean(input.name), body: clean(input.body) });
    return { seq: message.seq, sentAt: message.sentAt, duplicate };
  }

  /** Messages after `afterSeq`, one page at a time. */
  async history(engagementId: string, afterSeq: number): Promise<ClientResults['chat/history']> {
    const rows = await this.ds.getRepository(ChatMessageEntity).find({
      where: { engagementId, seq: MoreThan(afterSeq) },
      order: { seq: 'ASC' },
      take: LIMITS.historyPageSize + 1,
    });
    const hasMore = rows.length > LIMITS.historyPageSize;
    const messages = rows.slice(0, LIMITS.historyPageSize).map(toChatMessage);
    let lastSeq = this.live.get(engagementId)?.lastSeq;
    if (lastSeq === undefined) {
      const r: Array<{ last_seq: number }> = await this.ds.query('SELECT last_seq FROM engagements WHERE id = $1', [engagementId]);
      lastSeq = r[0]?.last_seq ?? 0;
    }
    return { messages, lastSeq: Math.max(lastSeq, messages.at(-1)?.seq ?? 0), hasMore };
  }

  forget(engagementId: string): void {
    this.writer.forget(engagementId);
  }
}
