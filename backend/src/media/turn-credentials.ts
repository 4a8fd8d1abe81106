import { createHmac } from 'node:crypto';
import type { IceServer } from '@engage/protocol';
import type { AppConfig } from '../config/app-config';
import type { TurnConfig } from '../config/config.schema';

/**
 * One TURN credential of the "TURN REST API" scheme coturn implements with `use-auth-secret`
 * (draft-uberti-behave-turn-rest): the username is `<expiry unix seconds>:<identity>`, the password
 * base64(HMAC-SHA1(static-auth-secret, username)). coturn recomputes it and refuses it once expired,
 * so nothing is stored and a leaked credential dies by itself.
 */
export function turnCredential(secret: string, identity: string, expiresAt: number): { username: string; credential: string } {
  const username = `${expiresAt}:${identity}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The ICE servers handed to one call participant: the static ones (ICE_SERVERS, e.g. STUN) and,
 * when TURN is configured, the TURN URLs with a credential of that participant valid TURN_TTL_S.
 */
export class IceServerIssuer {
  constructor(
    private readonly staticServers: readonly IceServer[],
    private readonly turn: TurnConfig | undefined,
  ) {}

  static fromConfig(config: AppConfig): IceServerIssuer {
    return new IceServerIssuer(config.get('iceServers'), config.get('turn'));
  }

  /** `identity` names the holder in coturn's logs (e.g. `agent-<userId>@<engagementId>`); ':' (coturn's separator) becomes '_'. */
  iceServersFor(identity: string, now: Date): IceServer[] {
    const servers = this.staticServers.map((s) => ({ ...s }));
    if (!this.turn) return servers;
    const expiresAt = Math.floor(now.getTime() / 1000) + this.turn.ttlS;
    return [...servers, { urls: [...this.turn.urls], ...turnCredential(this.turn.secret, identity.replaceAll(':', '_'), expiresAt) }];
  }
}
