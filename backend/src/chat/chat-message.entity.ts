import type { SenderRole } from '@engage/protocol';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'chat_messages' })
export class ChatMessageEntity {
  @PrimaryColumn({ name: 'engagement_id', type: 'uuid' })
  engagementId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'sender_role', type: 'text' })
  senderRole!: SenderRole;

  @Column({ name: 'sender_name', type: 'text' })
  senderName!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;
}
