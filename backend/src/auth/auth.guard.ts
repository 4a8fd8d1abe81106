import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@engage/protocol';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import type { Principal } from './principal';
import { TokensService } from './tokens.service';

const ROLES_KEY = 'engage:roles';
/** Roles allowed on a route; routes without @Roles are public. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

type AuthedRequest = Request & { principal?: Principal };

/** Reads `Authorization: Bearer <token>` and checks the role against @Roles. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!roles) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new UnauthorizedError('Send your token in the Authorization header.');
    const principal = this.tokens.verify(match[1]);
    if (!roles.includes(principal.role)) throw new ForbiddenError('Your role may not do this.');
    req.principal = principal;
    return true;
  }
}

/** The principal the AuthGuard established. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!p) throw new UnauthorizedError();
  return p;
});
