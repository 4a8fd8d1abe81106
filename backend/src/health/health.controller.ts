import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { API } from '@engage/protocol';
import type { Response } from 'express';
import { DataSource } from 'typeorm';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  @Get(API.health)
  @ApiOperation({ summary: 'Liveness and database reachability' })
  async health(@Res() res: Response): Promise<void> {
    try {
      await this.ds.query('SELECT 1');
      res.json({ status: 'ok', db: 'up' });
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({ status: 'degraded', db: 'down' });
    }
  }
}
