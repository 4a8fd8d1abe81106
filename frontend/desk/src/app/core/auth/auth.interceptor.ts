import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { API } from '@engage/protocol';
import { catchError, throwError } from 'rxjs';
import { AuthService } from './auth.service';

/** Public endpoints never carry the staff token. */
const PUBLIC = new Set<string>([API.login, API.join]);

/** Adds the staff JWT to API calls; a 401 on an authenticated call ends the session. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  const token = auth.token();
  const sameOrigin = req.url.startsWith('/');
  if (!token || !sameOrigin || PUBLIC.has(req.url) || req.headers.has('Authorization')) return next(req);
  return next(req.clone({ setHeaders: { Authorization: `Bearer ${token}` } })).pipe(
    catchError((err: unknown) => {
      if (err instanceof HttpErrorResponse && err.status === 401) auth.logout('expired');
      return throwError(() => err);
    }),
  );
};
