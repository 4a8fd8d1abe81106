import type { CallState, CobrowseMode, EndReason, EngagementChannel, EngagementState } from '@engage/protocol';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../auth/user.entity';

@Entity({ name: 'engagements' })
export class EngagementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  state!: EngagementState;

  @Column({ type: 'text' })
  channel!: EngagementChannel;

  @Column({ name: 'customer_name', type: 'text' })
  customerName!: string;

  @Column({ name: 'page_url', type: 'text', nullable: true })
  pageUrl!: string | null;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true })
  @JoinColumn({ name: 'agent_id' })
  agent?: UserEntity | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason!: EndReason | null;

  @Column({ type: 'text' })
  call!: CallState;

  @Column({ type: 'text' })
  mode!: CobrowseMode;

  @Column({ name: 'last_seq', type: 'int' })
  lastSeq!: number;

  @Column({ name: 'customer_read_seq', type: 'int' })
  customerReadSeq!: number;

  @Column({ name: 'agent_read_seq', type: 'int' })
  agentReadSeq!: number;

  @Column({ name: 'invite_code', type: 'text', nullable: true })
  inviteCode!: string | null;

  @Column({ name: 'invite_expires_at', type: 'timestamptz', nullable: true })
  inviteExpiresAt!: Date | null;

  @Column({ name: 'invite_redeemed_at', type: 'timestamptz', nullable: true })
  inviteRedeemedAt!: Date | null;

  /** The customer's "Share this page" code (single use, see share-code-expires/redeemed). */
  @Column({ name: 'share_code', type: 'text', nullable: true })
  shareCode!: string | null;

  @Column({ name: 'share_code_expires_at', type: 'timestamptz', nullable: true })
  shareCodeExpiresAt!: Date | null;

  @Column({ name: 'share_code_redeemed_at', type: 'timestamptz', nullable: true })
  shareCodeRedeemedAt!: Date | null;

  @Column({ name: 'last_activity_at', type: 'timestamptz' })
  lastActivityAt!: Date;
}
