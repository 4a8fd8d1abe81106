import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API, inviteSchema, joinSchema, listEngagementsQuerySchema, openEngagementSchema, uuidSchema } from '@engage/protocol';
import type { CustomerSession, EngagementDetail, EngagementView, InviteResponse } from '@engage/protocol';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import { isStaff, type Principal } from '../auth/principal';
import { ForbiddenError, NotFoundError, OriginNotAllowedError, parseOrThrow } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { EngagementsService } from './engagements.service';

@ApiTags('engagements')
@Controller()
export class EngagementsController {
  constructor(
    private readonly engagements: EngagementsService,
    private readonly config: AppConfig,
  ) {}

  @Post(API.openEngagement)
  @HttpCode(200)
  @ApiOperation({ summary: 'Widget: open an engagement for a site visitor (Origin-checked)' })
  open(@Headers('origin') origin: string | undefined, @Body() body: unknown): Promise<CustomerSession> {
    // Browsers always send Origin on a POST; a request without one is not from a web page.
    if (origin !== undefined && !this.config.get('allowedOrigins').includes(origin)) throw new OriginNotAllowedError(origin);
    return this.engagements.open(parseOrThrow(openEngagementSchema, body ?? {}));
  }

  @Post(API.invite)
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'Agent: create an engagement reachable by a 6-digit code' })
  invite(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<InviteResponse> {
    if (!isStaff(p)) throw new ForbiddenError();
    return this.engagements.invite(p, parseOrThrow(inviteSchema, body ?? {}));
  }

  @Post(API.join)
  @HttpCode(200)
  @ApiOperation({ summary: 'Customer: redeem an invitation code (once)' })
  join(@Body() body: unknown): Promise<CustomerSession> {
    return this.engagements.join(parseOrThrow(joinSchema, body ?? {}));
  }

  @Get(API.engagements)
  @ApiBearerAuth()
  @Roles('agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'Staff: engagements (agents: the queue and their own)' })
  list(@CurrentPrincipal() p: Principal, @Query() query: unknown): Promise<EngagementView[]> {
    if (!isStaff(p)) throw new ForbiddenError();
    return this.engagements.list(p, parseOrThrow(listEngagementsQuerySchema, query));
  }

  @Get(API.engagement(':id'))
  @ApiBearerAuth()
  @Roles('customer', 'agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'One engagement with transcript and timeline' })
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<EngagementDetail> {
    if (!uuidSchema.safeParse(id).success) throw new NotFoundError('No such engagement.');
    return this.engagements.detail(id, p);
  }
}
