import { Module } from '@nestjs/common';
import { EngagementsModule } from '../engagements/engagements.module';
import { CobrowseBus } from './cobrowse-bus';
import { CobrowseService } from './cobrowse.service';

/** Direct co-browse (rrweb relay with consent); the socket layer delivers what CobrowseBus announces. */
@Module({
  imports: [EngagementsModule],
  providers: [CobrowseService, CobrowseBus],
  exports: [CobrowseService, CobrowseBus],
})
export class CobrowseModule {}
