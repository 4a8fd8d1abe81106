import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EngagementsModule } from '../engagements/engagements.module';
import { CallsService } from './calls.service';
import { MediaBus } from './media-bus';
import { SFU_CLIENT, SfuClient } from './sfu-client';

/** Voice/video calls: the call state machine and the signalling relayed to the SFU. */
@Module({
  imports: [EngagementsModule],
  providers: [
    CallsService,
    MediaBus,
    {
      provide: SFU_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig): SfuClient | null => {
        const sfu = config.get('sfu');
        return sfu ? new SfuClient(sfu.url, sfu.secret) : null;
      },
    },
  ],
  exports: [CallsService, MediaBus],
})
export class MediaModule {}
