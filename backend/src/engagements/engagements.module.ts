import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EngagementBus } from './engagement-bus';
import { EngagementsController } from './engagements.controller';
import { EngagementsService } from './engagements.service';
import { InactivitySweeper } from './inactivity-sweeper';
import { LiveEngagements } from './live-engagements';

@Module({
  imports: [AuthModule],
  controllers: [EngagementsController],
  providers: [EngagementsService, LiveEngagements, EngagementBus, InactivitySweeper],
  exports: [EngagementsService, LiveEngagements, EngagementBus, InactivitySweeper],
})
export class EngagementsModule {}
