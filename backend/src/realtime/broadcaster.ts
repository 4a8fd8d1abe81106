import { Injectable } from '@nestjs/common';
import { EV, MEDIA_EV, PROXY_EV, type EngagementView, type ServerEvent, type ServerPayloads } from '@engage/protocol';
import type { Server, Socket } from 'socket.io';
import { ChatService } from '../chat/chat.service';
import { MessageWriter } from '../chat/message-writer';
import { CobrowseBus } from '../cobrowse/cobrowse-bus';
import { watchersRoom } from '../cobrowse/cobrowse-limits';
import { DocumentBus } from '../documents/document-bus';
import { EngagementBus } from '../engagements/engagement-bus';
import { LiveEngagements } from '../engagements/live-engagements';
import { MediaBus } from '../media/media-bus';
import { MetricsService } from '../metrics/metrics.service';
import { ProxyBus } from '../proxy/proxy-bus';
import { isProxyParticipant, isProxyParty } from '../proxy/proxy-party';
import type { Principal } from '../auth/principal';
import { queueFor } from './handlers/queue.handler';
import { STAFF_ROOM, engagementRoom } from './socket-context';

/** Sends committed changes to the rooms that should see them. */
@Injectable()
export class Broadcaster {
  private server: Server | undefined;
  private queueScheduled = false;

  constructor(
    private readonly bus: EngagementBus,
    private readonly writer: MessageWriter,
    private readonly chat: ChatService,
    private readonly live: LiveEngagements,
    private readonly metrics: MetricsService,
    private readonly cobrowse: CobrowseBus,
    private readonly media: MediaBus,
    private readonly proxy: ProxyBus,
    private readonly documents: DocumentBus,
  ) {}

  attach(server: Server): void {
    this.server = server;
    this.bus.on('changed', (view) => this.engagementChanged(view));
    this.bus.on('read', (r) => server.to(engagementRoom(r.engagementId)).emit(EV.chatReadChanged, r));
    this.writer.on('committed', (messages) => {
      for (const m of messages) server.to(engagementRoom(m.engagementId)).emit(EV.chatMessage, m);
    });
    this.cobrowse.on('state', (view) => server.to(engagementRoom(view.engagementId)).emit(EV.cobrowseState, view));
    this.cobrowse.on('events', (batch) => server.to(watchersRoom(batch.engagementId)).emit(EV.cobrowseEvents, batch));
    this.cobrowse.on('snapshotNeeded', (engagementId) => this.toCustomer(engagementId, EV.cobrowseSnapshotNeeded, { engagementId }));
    this.cobrowse.on('pointer', (at) => this.toCustomer(at.engagementId, EV.cobrowseRemotePointer, at));
    this.cobrowse.on('remoteInput', (msg) => this.toCustomer(msg.engagementId, EV.cobrowseRemoteInput, msg));
    this.cobrowse.on('imagesWanted', (msg) => this.toCustomer(msg.engagementId, EV.cobrowseImagesWanted, msg));
    this.cobrowse.on('controlNotice', (msg) => server.to(watchersRoom(msg.engagementId)).emit(EV.cobrowseControlNotice, msg));
    this.media.on('state', (view) => server.to(engagementRoom(view.engagementId)).emit(MEDIA_EV.state, view));
    this.media.on('notice', (n) => server.to(engagementRoom(n.payload.engagementId)).emit(n.event, n.payload));
    this.proxy.on('state', (view) => server.to(engagementRoom(view.engagementId)).emit(PROXY_EV.state, view));
    this.proxy.on('frame', (frame, agentId) => this.toParticipantsVolatile(frame.engagementId, agentId, frame));
    this.proxy.on('dialog', (d, to, agentId) => this.toProxyParty(d.engagementId, to, agentId, PROXY_EV.dialog, d, false));
    this.proxy.on('pointer', (p, to, agentId) => this.toProxyParty(p.engagementId, to, agentId, PROXY_EV.peerPointer, p, true));
    this.documents.attach(server);
    this.updateGauges();
  }

  /** Shared-browser frames go to the customer and the assigned agent only, dropped (volatile) for a socket that is not drained. */
  private toParticipantsVolatile(engagementId: string, agentId: string | null, frame: ServerPayloads['proxy/frame']): void {
    for (const [socket, principal] of this.roomMembers(engagementId)) {
      if (isProxyParticipant(principal, agentId)) socket.volatile.emit(PROXY_EV.frame, frame);
    }
  }

  /** Browse together: the page's dialog to its driver, a pointer to the other side; one participant's sockets only (not the staff watching). */
  private toProxyParty<E extends ServerEvent>(engagementId: string, to: 'agent' | 'customer', agentId: string | null, event: E, payload: ServerPayloads[E], volatile: boolean): void {
    for (const [socket, principal] of this.roomMembers(engagementId)) {
      if (isProxyParty(principal, to, agentId)) (volatile ? socket.volatile : socket).emit(event as string, payload);
    }
  }

  /** Snapshot requests, the agent's pointer and remote input go to the customer's sockets only, not to the staff in the room. */
  private toCustomer<E extends ServerEvent>(engagementId: string, event: E, payload: ServerPayloads[E]): void {
    for (const [socket, principal] of this.roomMembers(engagementId)) if (principal.role === 'customer') socket.emit(event, payload);
  }

  /** The authenticated sockets in an engagement's room, each with its principal (none before the gateway is up). */
  private *roomMembers(engagementId: string): Generator<[Socket, Principal]> {
    const server = this.server;
    if (!server) return;
    for (const id of server.of('/').adapter.rooms.get(engagementRoom(engagementId)) ?? []) {
      const socket = server.of('/').sockets.get(id);
      const principal = socket?.data.principal as Principal | undefined;
      if (socket && principal) yield [socket, principal];
    }
  }

  private engagementChanged(view: EngagementView): void {
    this.server?.to(engagementRoom(view.id)).emit(EV.engagementUpdated, view);
    if (view.state === 'ended') this.chat.forget(view.id);
    this.updateGauges();
    this.scheduleQueueUpdate();
  }

  /** Changes that arrive together produce one queue/updated per staff socket. */
  private scheduleQueueUpdate(): void {
    if (this.queueScheduled) return;
    this.queueScheduled = true;
    setImmediate(() => {
      this.queueScheduled = false;
      const server = this.server;
      if (!server) return;
      const snap = this.live.snapshot();
      const ids = server.of('/').adapter.rooms.get(STAFF_ROOM) ?? new Set<string>();
      for (const id of ids) {
        const socket = server.of('/').sockets.get(id);
        const principal = socket?.data.principal as Principal | undefined;
        if (socket && principal) socket.emit(EV.queueUpdated, queueFor(principal, snap));
      }
    });
  }

  private updateGauges(): void {
    const snap = this.live.snapshot();
    this.metrics.activeEngagements.set({ state: 'requested' }, snap.queue.length);
    this.metrics.activeEngagements.set({ state: 'active' }, snap.live.length);
  }
}
