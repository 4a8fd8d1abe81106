import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The document room: documents of an engagement (bytes live in DocumentStorage, keyed by the ids
 * here), their annotations, form field state (value + policy) and signatures. Everything goes with
 * its engagement (ON DELETE CASCADE) and with the retention sweeper.
 */
export class Documents1764200000000 implements MigrationInterface {
  name = 'Documents1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        engagement_id uuid NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('pdf', 'image', 'video')),
        source_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('converting', 'ready', 'failed')),
        error_code text,
        error_message text,
        size bigint NOT NULL,
        stored_bytes bigint NOT NULL DEFAULT 0,
        sha256 text NOT NULL,
        pages integer,
        page_sizes jsonb,
        width integer,
        height integer,
        protected boolean NOT NULL DEFAULT false,
        variants text[] NOT NULL DEFAULT '{}',
        fields jsonb NOT NULL DEFAULT '[]',
        uploaded_by_role text NOT NULL CHECK (uploaded_by_role IN ('agent', 'customer')),
        uploaded_by_name text NOT NULL,
        origin text NOT NULL CHECK (origin IN ('upload', 'export', 'signed')),
        derived_from uuid REFERENCES documents(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX documents_engagement_idx ON documents (engagement_id, created_at)`);
    await q.query(`
      CREATE TABLE doc_annotations (
        id uuid PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        page integer NOT NULL,
        tool text NOT NULL,
        points jsonb NOT NULL,
        color text NOT NULL,
        width real NOT NULL,
        text text,
        author_role text NOT NULL,
        author_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX doc_annotations_document_idx ON doc_annotations (document_id, created_at)`);
    await q.query(`
      CREATE TABLE doc_field_state (
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        name text NOT NULL,
        value jsonb,
        by_role text,
        customer_only boolean NOT NULL DEFAULT false,
        required boolean,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (document_id, name)
      )`);
    await q.query(`
      CREATE TABLE doc_signatures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        field text,
        page integer NOT NULL,
        rect jsonb NOT NULL,
        signer_role text NOT NULL,
        signer_name text NOT NULL,
        image text NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX doc_signatures_document_idx ON doc_signatures (document_id, signed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE doc_signatures');
    await q.query('DROP TABLE doc_field_state');
    await q.query('DROP TABLE doc_annotations');
    await q.query('DROP TABLE documents');
  }
}
