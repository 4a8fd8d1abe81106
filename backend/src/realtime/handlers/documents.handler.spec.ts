import { ForbiddenError } from '../../common/errors';
import type { DocumentRoomService } from '../../documents/document-room.service';
import type { Inbound } from '../inbound';
import type { SocketContext } from '../socket-context';
import { DocumentsHandler } from './documents.handler';

const eid = '0b9c8a1e-1f1b-4c57-9b1e-2f3a4b5c6d7e';
const did = '1c9c8a1e-1f1b-4c57-9b1e-2f3a4b5c6d7e';

function setup() {
  const room = {
    open: jest.fn(async () => ({ room: { engagementId: eid }, serverTime: 1 })),
    stroke: jest.fn(async () => ({})),
  };
  const ctx = { id: 'sock-1', principal: { role: 'supervisor', userId: 'u', name: 'S' }, joinEngagement: jest.fn(), log: { info: jest.fn() } } as unknown as SocketContext;
  return { room, ctx, handler: new DocumentsHandler(room as unknown as DocumentRoomService) };
}

describe('DocumentsHandler', () => {
  it('joins the engagement room only after doc/open was authorized', async () => {
    const t = setup();
    await t.handler.handle(t.ctx, { event: 'doc/open', payload: { engagementId: eid } } as Inbound<'doc/open'>);
    expect(t.room.open).toHaveBeenCalledWith(t.ctx.principal, eid);
    expect(t.ctx.joinEngagement).toHaveBeenCalledWith(eid);

    const refused = setup();
    refused.room.open.mockRejectedValueOnce(new ForbiddenError('This engagement is not yours.'));
    await expect(refused.handler.handle(refused.ctx, { event: 'doc/open', payload: { engagementId: eid } } as Inbound<'doc/open'>)).rejects.toMatchObject({ code: 'forbidden' });
    expect(refused.ctx.joinEngagement).not.toHaveBeenCalled();
  });

  it('hands the sending socket to relays so the sender is left out', async () => {
    const t = setup();
    const payload = { engagementId: eid, documentId: did, id: did, page: 1, tool: 'pen' as const, points: [[0.1, 0.2]] as Array<[number, number]>, width: 0.01, done: false };
    await t.handler.handle(t.ctx, { event: 'doc/stroke', payload } as Inbound<'doc/stroke'>);
    expect(t.room.stroke).toHaveBeenCalledWith(t.ctx.principal, payload, 'sock-1');
  });
});
