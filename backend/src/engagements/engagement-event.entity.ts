import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One line of an engagement's timeline / audit trail. */
@Entity({ name: 'engagement_events' })
export class EngagementEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'jsonb' })
  detail!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
