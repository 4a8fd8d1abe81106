import { DataSource } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { ChatMessageEntity } from '../chat/chat-message.entity';
import { EngagementEventEntity } from '../engagements/engagement-event.entity';
import { EngagementEntity } from '../engagements/engagement.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { ShareCodes1764100000000 } from './migrations/1764100000000-share-codes';
import { Documents1764200000000 } from './migrations/1764200000000-documents';

export const entities = [UserEntity, EngagementEntity, EngagementEventEntity, ChatMessageEntity];
export const migrations = [InitialSchema1764000000000, ShareCodes1764100000000, Documents1764200000000];

/** A DataSource whose schema comes from migrations only (run at initialize, never synchronize). */
export function createDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 12 },
  });
}
