import { Injectable } from '@nestjs/common';
import { ROLES } from '@engage/protocol';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthorizedError } from '../common/errors';
import type { CustomerPrincipal, Principal, StaffPrincipal } from './principal';

const claims = z.union([
  z.object({ role: z.literal('customer'), eid: z.string().uuid(), name: z.string() }),
  z.object({ role: z.enum(ROLES).exclude(['customer']), sub: z.string().uuid(), name: z.string() }),
]);

export const STAFF_TOKEN_TTL_S = 12 * 3600;
export const CUSTOMER_TOKEN_TTL_S = 24 * 3600;

/** Signs and verifies HS256 tokens: staff {sub, role, name}; customers {role:'customer', eid, name}. */
@Injectable()
export class TokensService {
  constructor(private readonly secret: string) {}

  signStaff(p: StaffPrincipal): string {
    return jwt.sign({ role: p.role, name: p.name }, this.secret, { algorithm: 'HS256', subject: p.userId, expiresIn: STAFF_TOKEN_TTL_S });
  }

  signCustomer(p: CustomerPrincipal): string {
    return jwt.sign({ role: 'customer', eid: p.engagementId, name: p.name }, this.secret, { algorithm: 'HS256', expiresIn: CUSTOMER_TOKEN_TTL_S });
  }

  /** The principal of a token, or UnauthorizedError. */
  verify(token: unknown): Principal {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw new UnauthorizedError('A token is required.');
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedError('The token is invalid or expired; sign in again.');
    }
    const c = claims.safeParse(payload);
    if (!c.success) throw new UnauthorizedError('The token is not one of ours.');
    return c.data.role === 'customer'
      ? { role: 'customer', engagementId: c.data.eid, name: c.data.name }
      : { role: c.data.role, userId: c.data.sub, name: c.data.name };
  }
}
