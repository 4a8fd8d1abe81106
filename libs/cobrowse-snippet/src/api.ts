import { API, type CustomerSession, type ErrorBody, type OpenEngagementRequest, type ShareCodeResponse } from '@engage/protocol';

/** A REST call that failed: `sentence` is safe to show the customer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly sentence: string,
  ) {
    super(`${status} ${code}: ${sentence}`);
    this.name = 'ApiError';
  }
}

const TIMEOUT_MS = 10_000;

/** POST /api/engagements/open: the visitor asks for a chat; answers the engagement and its token. */
export async function openEngagement(platform: string, body: OpenEngagementRequest): Promise<CustomerSession> {
  const { res, data } = await post(platform, API.openEngagement, null, 'Chat is unavailable right now.', body);
  if (!res.ok) {
    const err = data as Partial<ErrorBody> | null;
    const busy = res.status === 429 || res.status === 503;
    throw new ApiError(
      res.status,
      err?.code ?? 'http',
      busy ? 'All our agents are busy. Please try again in a moment.' : 'Chat is unavailable right now.',
    );
  }
  const session = data as Partial<CustomerSession> | null;
  if (!session?.customerToken || !session.engagement?.id) throw new ApiError(res.status, 'malformed', 'Chat is unavailable right now.');
  return session as CustomerSession;
}

/** POST /api/cobrowse/share-code: "Share this page" — a 6-digit code the customer reads to the agent. */
export async function requestShareCode(platform: string, customerToken: string): Promise<ShareCodeResponse> {
  const { res, data } = await post(platform, API.shareCode, customerToken, 'Sharing is unavailable right now.');
  const body = data as Partial<ShareCodeResponse & ErrorBody> | null;
  if (!res.ok) {
    const sentence = res.status === 429 ? 'Too many codes in a row. Please wait a moment and try again.' : body?.message && res.status === 409 ? body.message : 'Sharing is unavailable right now.';
    throw new ApiError(res.status, body?.code ?? 'http', sentence);
  }
  if (!body?.code || !body.expiresAt) throw new ApiError(res.status, 'malformed', 'Sharing is unavailable right now.');
  return { code: body.code, expiresAt: body.expiresAt };
}

/** POST /api/cobrowse/share-code/cancel: the unused code stops working. */
export async function cancelShareCode(platform: string, customerToken: string): Promise<void> {
  const { res } = await post(platform, API.cancelShareCode, customerToken, 'The code could not be withdrawn.');
  if (!res.ok) throw new ApiError(res.status, 'http', 'The code could not be withdrawn.');
}

/** A JSON POST to the platform, with the customer's token when there is one; `offline` is the sentence when it cannot be reached. */
async function post(platform: string, path: string, token: string | null, offline: string, body: unknown = {}): Promise<{ res: Response; data: unknown }> {
  const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = setTimeout(() => ctrl?.abort(), TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(`${platform}${path}`, {
      method: 'POST',
      headers: token ? { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } : { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      signal: ctrl?.signal,
    });
  } catch {
    throw new ApiError(0, 'network', offline);
  } finally {
    clearTimeout(timer);
  }
  return { res, data: (await res.json().catch(() => null)) as unknown };
}
