import { HttpClient } from '@angular/common/http';
import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import { API, type LoginResponse, type UserView } from '@engage/protocol';
import { firstValueFrom } from 'rxjs';
import { readSession, removeSession, writeSession } from '../storage';

const KEY = 'engage.desk.auth';

interface StoredAuth {
  token: string;
  user: UserView;
}

/** The signed-in staff member. The JWT lives in sessionStorage: one tab, gone when it closes. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  readonly #http = inject(HttpClient);
  readonly #router = inject(Router);
  readonly #auth = signal<StoredAuth | null>(loadValid());

  readonly user = computed(() => this.#auth()?.user ?? null);
  readonly token = computed(() => this.#auth()?.token ?? null);
  readonly canSupervise = computed(() => {
    const role = this.user()?.role;
    return role === 'supervisor' || role === 'admin';
  });

  async login(email: string, password: string): Promise<UserView> {
    const res = await firstValueFrom(this.#http.post<LoginResponse>(API.login, { email, password }));
    const auth: StoredAuth = { token: res.token, user: res.user };
    writeSession(KEY, auth);
    this.#auth.set(auth);
    return res.user;
  }

  logout(reason?: 'expired'): void {
    removeSession(KEY);
    this.#auth.set(null);
    void this.#router.navigate(['/login'], { queryParams: reason ? { reason } : {} });
  }

  /** True while a token is held and its expiry (if it has one) is in the future. */
  isSignedIn(): boolean {
    const auth = this.#auth();
    if (auth && isExpired(auth.token)) {
      removeSession(KEY);
      this.#auth.set(null);
      return false;
    }
    return auth !== null;
  }
}

function loadValid(): StoredAuth | null {
  const auth = readSession<StoredAuth>(KEY);
  if (!auth || typeof auth.token !== 'string' || !auth.user) return null;
  return isExpired(auth.token) ? null : auth;
}

function isExpired(jwt: string): boolean {
  try {
    const part = jwt.split('.')[1];
    const payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}
