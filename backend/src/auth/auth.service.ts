import { Injectable } from '@nestjs/common';
import type { LoginRequest, LoginResponse, StaffRole, UserView } from '@engage/protocol';
import { DataSource, Repository } from 'typeorm';
import { NotFoundError, UnauthorizedError } from '../common/errors';
import { createLogger } from '../common/logger';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { TokensService } from './tokens.service';
import { UserEntity } from './user.entity';

export const DEMO_ACCOUNTS: ReadonlyArray<{ email: string; password: string; displayName: string; role: StaffRole }> = [
  { email: 'agent@demo.test', password: 'agent-demo-1', displayName: 'Alex Agent', role: 'agent' },
  { email: 'agent2@demo.test', password: 'agent-demo-2', displayName: 'Sam Agent', role: 'agent' },
  { email: 'supervisor@demo.test', password: 'supervisor-demo-1', displayName: 'Pat Supervisor', role: 'supervisor' },
  { email: 'admin@demo.test', password: 'admin-demo-1', displayName: 'Admin', role: 'admin' },
];

export function toUserView(u: UserEntity): UserView {
  return { id: u.id, email: u.email, displayName: u.displayName, role: u.role };
}

@Injectable()
export class AuthService {
  private readonly log = createLogger('auth');
  private readonly users: Repository<UserEntity>;

  constructor(
    dataSource: DataSource,
    private readonly tokens: TokensService,
  ) {
    this.users = dataSource.getRepository(UserEntity);
  }

  async login(req: LoginRequest): Promise<LoginResponse> {
    const user = await this.users.findOneBy({ email: req.email.trim().toLowerCase() });
    const ok = await verifyPassword(req.password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok) {
      this.log.info({ email: req.email }, 'login refused');
      throw new UnauthorizedError('The email or the password is wrong.');
    }
    this.log.info({ userId: user.id, role: user.role }, 'login');
    return { token: this.tokens.signStaff({ role: user.role, userId: user.id, name: user.displayName }), user: toUserView(user) };
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new NotFoundError('This account no longer exists.');
    return toUserView(user);
  }

  /** Creates the demo accounts that don't exist yet (first run). */
  async seedDemoAccounts(): Promise<number> {
    let created = 0;
    for (const a of DEMO_ACCOUNTS) {
      if (await this.users.existsBy({ email: a.email })) continue;
      await this.users.insert({ email: a.email, displayName: a.displayName, role: a.role, passwordHash: await hashPassword(a.password) });
      created++;
    }
    this.log.info({ created }, 'demo accounts seeded');
    return created;
  }
}
