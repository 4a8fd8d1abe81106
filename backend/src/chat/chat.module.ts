import { Module } from '@nestjs/common';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { EngagementsModule } from '../engagements/engagements.module';
import { MetricsService } from '../metrics/metrics.service';
import { ChatService } from './chat.service';
import { MessageWriter } from './message-writer';

@Module({
  imports: [EngagementsModule],
  providers: [
    ChatService,
    {
      provide: MessageWriter,
      inject: [Database, AppConfig, MetricsService],
      useFactory: async (db: Database, config: AppConfig, metrics: MetricsService) => {
        const writer = await MessageWriter.create({
          connectionString: db.url,
          queueMax: config.get('writeQueueMax'),
          log: createLogger('chat-writer'),
          onPersisted: (ms) => metrics.persistLatency.observe(ms / 1000),
        });
        metrics.setWriteQueueDepthSource(() => writer.depth);
        return writer;
      },
    },
  ],
  exports: [ChatService, MessageWriter],
})
export class ChatModule {}
