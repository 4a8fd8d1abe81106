import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Share this page" without a chat: the customer's 6-digit code that an agent redeems once to
 * start direct co-browse. Stored plain like invite codes, with its expiry and its redemption.
 */
export class ShareCodes1764100000000 implements MigrationInterface {
  name = 'ShareCodes1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE engagements ADD COLUMN share_code text, ADD COLUMN share_code_expires_at timestamptz, ADD COLUMN share_code_redeemed_at timestamptz`);
    await q.query(`CREATE INDEX engagements_share_code_idx ON engagements (share_code) WHERE share_code IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX engagements_share_code_idx');
    await q.query('ALTER TABLE engagements DROP COLUMN share_code, DROP COLUMN share_code_expires_at, DROP COLUMN share_code_redeemed_at');
  }
}
