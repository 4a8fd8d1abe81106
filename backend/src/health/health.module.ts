import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { HealthController } from './health.controller';
import { SfuLink } from './sfu-link';

@Module({ imports: [MediaModule], controllers: [HealthController], providers: [SfuLink] })
export class HealthModule {}
