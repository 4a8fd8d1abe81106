import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { CobrowseModule } from '../cobrowse/cobrowse.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { Broadcaster } from './broadcaster';
import { Dispatcher } from './dispatcher';
import { ChatHandler } from './handlers/chat.handler';
import { CobrowseHandler } from './handlers/cobrowse.handler';
import { DocumentsHandler } from './handlers/documents.handler';
import { DocumentsModule } from '../documents/documents.module';
import { EngagementHandler } from './handlers/engagement.handler';
import { MediaHandler } from './handlers/media.handler';
import { MediaModule } from '../media/media.module';
import { ProxyModule } from '../proxy/proxy.module';
import { ProxyHandler } from './handlers/proxy.handler';
import { QueueHandler } from './handlers/queue.handler';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [AuthModule, ChatModule, EngagementsModule, CobrowseModule, MediaModule, ProxyModule, DocumentsModule],
  providers: [RealtimeGateway, Dispatcher, Broadcaster, ChatHandler, EngagementHandler, QueueHandler, CobrowseHandler, MediaHandler, ProxyHandler, DocumentsHandler],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
