import type { EngagementView } from '@engage/protocol';
import type { Principal } from '../auth/principal';
import { CobrowseBus } from '../cobrowse/cobrowse-bus';
import { CobrowseService } from '../cobrowse/cobrowse.service';
import { EngagementBus } from '../engagements/engagement-bus';
import type { EngagementsService, ModeChange } from '../engagements/engagements.service';
import { engagementView } from './engagement-view';

/** The engagement the co-browse unit specs share, its customer Carla and its agent Alex, and others who are not its parties. */
export const cobrowseEid = '3f1c2a8e-7d4b-4c1a-9e2f-0a1b2c3d4e5f';
export const cobrowseParties = {
  customer: { role: 'customer', engagementId: cobrowseEid, name: 'Carla' },
  agent: { role: 'agent', userId: 'u-agent', name: 'Alex' },
  otherAgent: { role: 'agent', userId: 'u-other', name: 'Olga' },
  supervisor: { role: 'supervisor', userId: 'u-sup', name: 'Sam' },
} as const satisfies Record<string, Principal>;

/** That engagement as the realtime layer sees it, in `state`. */
export const cobrowseEngagement = (state: EngagementView['state'] = 'active'): EngagementView => engagementView({ id: cobrowseEid, state });

/**
 * The real CobrowseService over a fake engagement store, for unit specs. `rows` holds every mode
 * change the store accepted, in order; `beforePersist` runs first on each (to journal it, hold it
 * or fail it by throwing). `active()` takes the session to active: the agent asks, the customer accepts.
 */
export function cobrowseServiceFixture(opts: { beforePersist?: (change: ModeChange) => Promise<void> | void } = {}) {
  const rows: ModeChange[] = [];
  const store = {
    recordModeChange: jest.fn(async (_id: string, change: ModeChange) => {
      const pending = opts.beforePersist?.(change);
      if (pending) await pending;
      rows.push(change);
      return cobrowseEngagement();
    }),
    clearMode: jest.fn(async () => []),
  };
  const bus = new CobrowseBus();
  const engagementBus = new EngagementBus();
  const service = new CobrowseService(store as unknown as EngagementsService, bus, engagementBus);
  service.onModuleInit();
  const active = async () => {
    await service.request(cobrowseParties.agent, cobrowseEngagement());
    await service.respond(cobrowseParties.customer, cobrowseEngagement(), true);
  };
  return { service, store, bus, engagementBus, rows, active };
}
