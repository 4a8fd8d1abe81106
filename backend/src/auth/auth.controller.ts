import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API, loginSchema, type LoginResponse, type UserView } from '@engage/protocol';
import { parseOrThrow } from '../common/errors';
import { CurrentPrincipal, Roles } from './auth.guard';
import { AuthService } from './auth.service';
import { isStaff, type Principal } from './principal';
import { ForbiddenError } from '../common/errors';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post(API.login)
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff sign-in: email + password → JWT' })
  login(@Body() body: unknown): Promise<LoginResponse> {
    return this.auth.login(parseOrThrow(loginSchema, body));
  }

  @Get(API.me)
  @ApiBearerAuth()
  @Roles('agent', 'supervisor', 'admin')
  @ApiOperation({ summary: 'The signed-in staff member' })
  me(@CurrentPrincipal() p: Principal): Promise<UserView> {
    if (!isStaff(p)) throw new ForbiddenError();
    return this.auth.me(p.userId);
  }
}
