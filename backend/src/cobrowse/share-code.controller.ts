import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API, redeemShareCodeSchema, type RedeemShareCodeResponse, type ShareCodeResponse } from '@engage/protocol';
import { CurrentPrincipal, Roles } from '../auth/auth.guard';
import type { Principal } from '../auth/principal';
import { parseOrThrow } from '../common/errors';
import { ShareCodeService } from './share-code.service';

@ApiTags('cobrowse')
@ApiBearerAuth()
@Controller()
export class ShareCodeController {
  constructor(private readonly codes: ShareCodeService) {}

  @Post(API.shareCode)
  @HttpCode(200)
  @Roles('customer')
  @ApiOperation({ summary: 'Customer: "Share this page" — a 6-digit code to read to the agent (20 minutes, once)' })
  issue(@CurrentPrincipal() p: Principal): Promise<ShareCodeResponse> {
    return this.codes.issue(p);
  }

  @Post(API.cancelShareCode)
  @HttpCode(204)
  @Roles('customer')
  @ApiOperation({ summary: 'Customer: withdraw the unused share code' })
  cancel(@CurrentPrincipal() p: Principal): Promise<void> {
    return this.codes.cancel(p);
  }

  @Post(API.redeemShareCode)
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({ summary: 'Agent: redeem a customer’s share code and co-browse at once (10 attempts a minute)' })
  redeem(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<RedeemShareCodeResponse> {
    return this.codes.redeem(p, parseOrThrow(redeemShareCodeSchema, body ?? {}).code);
  }
}
