import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { API } from '@engage/protocol';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { SfuLink } from './sfu-link';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly sfuLink: SfuLink,
  ) {}

  /**
   * 503 only when the database is out of reach. The SFU link is reported, not judged: chat and
   * co-browse work without it, and a container health check must not restart the backend because
   * the SFU is down or misconfigured.
   */
  @Get(API.health)
  @ApiOperation({ summary: 'Liveness, database reachability and the state of the SFU event stream' })
  async health(@Res() res: Response): Promise<void> {
    const sfu = this.sfuLink.view();
    try {
      await this.ds.query('SELECT 1');
      res.json({ status: 'ok', db: 'up', sfu });
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'degraded', db: 'down', sfu });
    }
  }
}
