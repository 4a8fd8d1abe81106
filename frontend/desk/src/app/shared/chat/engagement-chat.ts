import { computed, effect, inject, type Signal, signal } from '@angular/core';
import { EV } from '@engage/protocol';
import { AuthService } from '../../core/auth/auth.service';
import { endReasonLabel } from '../../core/format';
import { type ChatState, openChat } from '../../core/realtime/chat-state';
import { StaffSocket } from '../../core/realtime/staff-socket.service';
import { DeskStore } from '../../features/desk/data/desk.store';

/**
 * The live chat of the engagement `id` names, on the staff socket, for a desk pane: opens it (again
 * whenever the id changes), marks it selected in the sidebar, and closes it with the pane.
 * An agent works the engagement; a supervisor only watches and leaves its events behind on close.
 * Call in an injection context.
 */
export function useEngagementChat(id: Signal<string>, role: 'agent' | 'supervisor') {
  const store = inject(DeskStore);
  const ws = inject(StaffSocket);
  const auth = inject(AuthService);
  const chat = signal<ChatState | null>(null);

  effect((onCleanup) => {
    const engagementId = id();
    const state = openChat({
      socket: ws.socket,
      status: ws.status,
      engagementId,
      role,
      selfName: auth.user()?.displayName ?? '',
    });
    chat.set(state);
    store.selectedId.set(engagementId);
    onCleanup(() => {
      state.close();
      // Stop receiving this engagement's events; a watcher leaves no trace in it.
      if (role === 'supervisor') ws.socket.request(EV.engagementLeave, { engagementId }).catch(() => undefined);
      store.selectedId.set(null);
    });
  });

  /** What the chat knows of the engagement, else what the sidebar knows, until either does. */
  const engagement = computed(() => chat()?.engagement() ?? store.engagementById(id()) ?? null);
  const endReason = computed(() => endReasonLabel(engagement()?.endReason ?? null) || 'Ended');
  return { chat: chat.asReadonly(), engagement, endReason };
}
