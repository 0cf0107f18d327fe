-- The outbox carries each record in its syncwire form: canonical CBOR with a schema version
-- and the content hash over those bytes. Entries queued before keep their JSON payload.

-- +goose Up
ALTER TABLE outbox ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN record BLOB;
ALTER TABLE outbox ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN content_hash;
ALTER TABLE outbox DROP COLUMN record;
ALTER TABLE outbox DROP COLUMN schema_version;
