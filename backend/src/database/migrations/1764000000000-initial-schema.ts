import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE staff_role AS ENUM ('agent', 'supervisor', 'admin')`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        display_name text NOT NULL,
        role staff_role NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE engagements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        state text NOT NULL CHECK (state IN ('requested', 'active', 'ended')),
        channel text NOT NULL CHECK (channel IN ('widget', 'invite')),
        customer_name text NOT NULL,
        page_url text,
        agent_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        accepted_at timestamptz,
        ended_at timestamptz,
        end_reason text CHECK (end_reason IN ('agent', 'customer', 'timeout', 'error')),
        call text NOT NULL DEFAULT 'off' CHECK (call IN ('off', 'audio', 'video')),
        mode text NOT NULL DEFAULT 'none' CHECK (mode IN ('none', 'direct', 'proxy', 'document')),
        last_seq integer NOT NULL DEFAULT 0,
        customer_read_seq integer NOT NULL DEFAULT 0,
        agent_read_seq integer NOT NULL DEFAULT 0,
        invite_code text,
        invite_expires_at timestamptz,
        invite_redeemed_at timestamptz,
        last_activity_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX engagements_live_idx ON engagements (state, last_activity_at) WHERE state <> 'ended'`);
    await q.query(`CREATE INDEX engagements_created_idx ON engagements (created_at DESC)`);
    await q.query(`CREATE INDEX engagements_invite_code_idx ON engagements (invite_code) WHERE invite_code IS NOT NULL AND invite_redeemed_at IS NULL`);
    await q.query(`
      CREATE TABLE chat_messages (
        engagement_id uuid NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        client_id text NOT NULL,
        sender_role text NOT NULL CHECK (sender_role IN ('customer', 'agent', 'system')),
        sender_name text NOT NULL,
        body text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (engagement_id, seq),
        CONSTRAINT chat_messages_client_id_key UNIQUE (engagement_id, client_id)
      )`);
    await q.query(`
      CREATE TABLE engagement_events (
        id bigserial PRIMARY KEY,
        engagement_id uuid NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
        type text NOT NULL,
        actor text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX engagement_events_engagement_idx ON engagement_events (engagement_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE engagement_events');
    await q.query('DROP TABLE chat_messages');
    await q.query('DROP TABLE engagements');
    await q.query('DROP TABLE users');
    await q.query('DROP TYPE staff_role');
  }
}
