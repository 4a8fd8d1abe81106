import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { type ConnectionStatus, EngageSocket } from '@engage/chat-client';
import { AuthService } from '../auth/auth.service';

/**
 * The staff member's one socket for the whole desk. Provided by the desk shell, so it opens when
 * the desk opens and closes on logout.
 */
@Injectable()
export class StaffSocket {
  readonly status = signal<ConnectionStatus>('connecting');
  readonly socket: EngageSocket;

  constructor() {
    const auth = inject(AuthService);
    this.socket = EngageSocket.connect({ url: location.origin, token: auth.token() ?? '' });
    const off = this.socket.onStatus((status, error) => {
      this.status.set(status);
      if (status === 'refused' && error?.code === 'unauthorized') auth.logout('expired');
    });
    inject(DestroyRef).onDestroy(() => {
      off();
      this.socket.close();
    });
  }
}
