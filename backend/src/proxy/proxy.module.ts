import { Module } from '@nestjs/common';
import { CobrowseModule } from '../cobrowse/cobrowse.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { ProxyBus } from './proxy-bus';
import { ProxyPool } from './proxy-pool';
import { ProxyService } from './proxy.service';

/** Proxy co-browse: the pool of proxy workers and the shared browser of each engagement. */
@Module({
  imports: [EngagementsModule, CobrowseModule],
  providers: [ProxyPool, ProxyService, ProxyBus],
  exports: [ProxyService, ProxyBus, ProxyPool],
})
export class ProxyModule {}
