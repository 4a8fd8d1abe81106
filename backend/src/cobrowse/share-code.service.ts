import { Injectable } from '@nestjs/common';
import type { RedeemShareCodeResponse, ShareCodeResponse } from '@engage/protocol';
import { isStaff, type Principal, type StaffPrincipal } from '../auth/principal';
import { DomainError, ForbiddenError } from '../common/errors';
import { createLogger } from '../common/logger';
import { EngagementsService } from '../engagements/engagements.service';
import { CobrowseService } from './cobrowse.service';
import { ShareCodeAttempts } from './share-code-attempts';

/** Too many code attempts by one agent (429, with the seconds to wait). */
export class TooManyCodeAttemptsError extends DomainError {
  constructor(retryAfter: number) {
    super('rate_limited', 429, 'Too many code attempts.', retryAfter);
  }
}

/**
 * "Share this page" without a chat: the customer gets a 6-digit code and reads it to the agent on
 * the phone; the agent redeems it and co-browses at once (pressing Share was the consent).
 */
@Injectable()
export class ShareCodeService {
  private readonly log = createLogger('share-code');
  readonly attempts = new ShareCodeAttempts();

  constructor(
    private readonly engagements: EngagementsService,
    private readonly cobrowse: CobrowseService,
  ) {}

  /** The customer of an engagement asks for a code. */
  async issue(p: Principal): Promise<ShareCodeResponse> {
    if (isStaff(p)) throw new ForbiddenError('Only the customer shares their page.');
    return this.engagements.issueShareCode(p.engagementId);
  }

  /** The customer withdraws their code. */
  async cancel(p: Principal): Promise<void> {
    if (isStaff(p)) throw new ForbiddenError('Only the customer withdraws their code.');
    await this.engagements.cancelShareCode(p.engagementId);
  }

  /** An agent enters a code: rate-limited per agent, every attempt logged. */
  async redeem(p: Principal, code: string): Promise<RedeemShareCodeResponse> {
    if (!isStaff(p) || p.role !== 'agent') throw new ForbiddenError('Only agents join a customer by code.');
    const wait = this.attempts.take(p.userId);
    if (wait > 0) {
      this.log.warn({ agentId: p.userId, event: 'cobrowse/code-redeem', retryAfter: wait }, 'share code attempts rate-limited');
      throw new TooManyCodeAttemptsError(wait);
    }
    try {
      const result = await this.redeemNow(p, code);
      this.log.info({ eid: result.engagement.id, agentId: p.userId, event: 'cobrowse/code-redeem', ok: true }, 'share code attempt');
      return result;
    } catch (err) {
      this.log.info({ agentId: p.userId, event: 'cobrowse/code-redeem', ok: false, why: err instanceof DomainError ? err.code : 'error' }, 'share code attempt');
      throw err;
    }
  }

  private async redeemNow(p: StaffPrincipal, code: string): Promise<RedeemShareCodeResponse> {
    const engagement = await this.engagements.redeemShareCode(code, p);
    const cobrowse = await this.cobrowse.startByCode(p, engagement);
    return { engagement: await this.engagements.view(engagement.id), cobrowse };
  }
}
