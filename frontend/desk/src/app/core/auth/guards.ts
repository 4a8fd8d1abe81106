import { inject } from '@angular/core';
import { type CanMatchFn, Router } from '@angular/router';
import { AuthService } from './auth.service';

/** Staff areas: signed in, else to the login page (coming back afterwards). */
export const staffGuard: CanMatchFn = (_route, segments) => {
  const auth = inject(AuthService);
  if (auth.isSignedIn()) return true;
  const returnUrl = '/' + segments.map((s) => s.path).join('/');
  return inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl } });
};

/** Supervision: supervisors and admins only; agents land on their desk. */
export const supervisorGuard: CanMatchFn = () => {
  const auth = inject(AuthService);
  return auth.canSupervise() || inject(Router).createUrlTree(['/desk']);
};
