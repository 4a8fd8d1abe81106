import { Module } from '@nestjs/common';
import { EngagementsModule } from '../engagements/engagements.module';
import { CobrowseBus } from './cobrowse-bus';
import { CobrowseService } from './cobrowse.service';
import { ShareCodeController } from './share-code.controller';
import { ShareCodeService } from './share-code.service';

/** Direct co-browse (rrweb relay with consent); the socket layer delivers what CobrowseBus announces. */
@Module({
  imports: [EngagementsModule],
  controllers: [ShareCodeController],
  providers: [CobrowseService, CobrowseBus, ShareCodeService],
  exports: [CobrowseService, CobrowseBus],
})
export class CobrowseModule {}
