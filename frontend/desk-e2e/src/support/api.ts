import { API, type CustomerSession, type LoginResponse } from '@engage/protocol';
import { DEMO_AGENT } from './desk';

async function post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

export function loginAgent(base: string, who = DEMO_AGENT): Promise<LoginResponse> {
  return post<LoginResponse>(`${base}${API.login}`, { email: who.email, password: who.password });
}

/** Opens an engagement as the widget on the demo site would. */
export function openAsCustomer(base: string, origin: string, customerName: string): Promise<CustomerSession> {
  return post<CustomerSession>(`${base}${API.openEngagement}`, { customerName, pageUrl: `${origin}/` }, { origin });
}
