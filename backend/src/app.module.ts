import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { CobrowseModule } from './cobrowse/cobrowse.module';
import { DocumentsModule } from './documents/documents.module';
import { HttpErrorFilter } from './common/http-exception.filter';
import { AppConfig } from './config/app-config';
import { Database } from './database/database';
import { DatabaseModule } from './database/database.module';
import { EngagementsModule } from './engagements/engagements.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProxyModule } from './proxy/proxy.module';
import { RealtimeModule } from './realtime/realtime.module';
import { ConfigModule } from './config/config.module';

@Module({})
export class AppModule {
  /** The app over an already started database and validated config (see main.ts for the order). */
  static create(config: AppConfig, db: Database): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db), MetricsModule, AuthModule, EngagementsModule, ChatModule, CobrowseModule, ProxyModule, DocumentsModule, RealtimeModule, HealthModule],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
