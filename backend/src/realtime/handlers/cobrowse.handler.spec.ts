import { EV } from '@engage/protocol';
import type { Principal } from '../../auth/principal';
import type { CobrowseService } from '../../cobrowse/cobrowse.service';
import type { EngagementsService } from '../../engagements/engagements.service';
import { fakeSocketContext } from '../../testing/socket-context';
import { CobrowseHandler } from './cobrowse.handler';

const eid = '3f1c2a8e-7d4b-4c1a-9e2f-0a1b2c3d4e5f';

function setup(principal: Principal, bytesBurst = 1e9) {
  const cobrowse = {
    assertMayRecord: jest.fn(),
    record: jest.fn((_id: string, events: unknown[]) => events.length),
    watch: jest.fn(() => ({ cobrowse: { engagementId: eid, status: 'active' }, checkpoint: [] })),
  };
  const engagements = { view: jest.fn(async () => ({ id: eid })) };
  const handler = new CobrowseHandler(cobrowse as unknown as CobrowseService, engagements as unknown as EngagementsService);
  const ctx = fakeSocketContext(principal, { engagementId: eid, recordBytesBurst: bytesBurst });
  return { cobrowse, engagements, handler, ctx };
}

describe('CobrowseHandler', () => {
  it('records without awaiting anything (batches keep their order) and passes each event size', async () => {
    const t = setup({ role: 'customer', engagementId: eid, name: 'C' });
    const events = [{ type: 3, timestamp: 1, data: { a: 1 } }];
    const pending = t.handler.handle(t.ctx, { event: EV.cobrowseRecord, payload: { engagementId: eid, events } });
    // Relayed synchronously, before the handler's promise settles.
    expect(t.cobrowse.record).toHaveBeenCalledWith(eid, events, [JSON.stringify(events[0]).length]);
    await expect(pending).resolves.toEqual({ accepted: 1 });
    expect(t.engagements.view).not.toHaveBeenCalled();
  });

  it('answers rate_limited past the byte budget and relays nothing', async () => {
    const t = setup({ role: 'customer', engagementId: eid, name: 'C' }, 50);
    const events = [{ type: 3, timestamp: 1, data: 'x'.repeat(100) }];
    // The first batch spends the whole burst (a cost above it is charged as the burst).
    await expect(t.handler.handle(t.ctx, { event: EV.cobrowseRecord, payload: { engagementId: eid, events } })).resolves.toEqual({ accepted: 1 });
    await expect(t.handler.handle(t.ctx, { event: EV.cobrowseRecord, payload: { engagementId: eid, events } })).rejects.toMatchObject({ code: 'rate_limited' });
    expect(t.cobrowse.record).toHaveBeenCalledTimes(1);
  });

  it('joins the watchers room on watch and leaves it on unwatch', async () => {
    const t = setup({ role: 'supervisor', userId: 'u', name: 'S' });
    await expect(t.handler.handle(t.ctx, { event: EV.cobrowseWatch, payload: { engagementId: eid } })).resolves.toMatchObject({ checkpoint: [] });
    expect(t.ctx.joinWatchers).toHaveBeenCalledWith(eid);
    await t.handler.handle(t.ctx, { event: EV.cobrowseUnwatch, payload: { engagementId: eid } });
    expect(t.ctx.leaveWatchers).toHaveBeenCalledWith(eid);
  });

  it('does not join the room when watching is refused', async () => {
    const t = setup({ role: 'customer', engagementId: eid, name: 'C' });
    t.cobrowse.watch.mockImplementationOnce(() => {
      throw new Error('Customers do not watch co-browse.');
    });
    await expect(t.handler.handle(t.ctx, { event: EV.cobrowseWatch, payload: { engagementId: eid } })).rejects.toThrow();
    expect(t.ctx.joinWatchers).not.toHaveBeenCalled();
  });
});
