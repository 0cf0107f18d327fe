-- The attachments lane and the anchored audit chains of offices; where the root key lives.

-- +goose Up
-- "file" (sealed in the data directory) or "pkcs11:<token>/<label>": serve opens the root
-- from there to sign receipts and lists.
ALTER TABLE authority ADD COLUMN root_key_store TEXT NOT NULL DEFAULT 'file';

-- Attachments, content-addressed: one row per SHA-256, whoever sent it first.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    received_at TIMESTAMP NOT NULL
);

-- What each pushed record version refers to: an office may upload only these, and the
-- province can tell, per record, which attachments are still missing.
CREATE TABLE record_attachments (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version   BIGINT NOT NULL,
    sha256    TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    PRIMARY KEY (entity, entity_id, version, sha256)
);
CREATE INDEX record_attachments_blob ON record_attachments (sha256, office_id);

-- Each office's audit events by place in its chain. Two events at one seq is a fork.
CREATE TABLE office_audit_events (
    office_id TEXT NOT NULL REFERENCES offices (id),
    seq       BIGINT NOT NULL,
    event_id  TEXT NOT NULL,
    hash      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    PRIMARY KEY (office_id, seq, event_id)
);

-- How far each office's chain is verified and receipted (seq 0 and the genesis hash before
-- the first event).
CREATE TABLE audit_anchors (
    office_id  TEXT PRIMARY KEY REFERENCES offices (id),
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A gap or fork seen in an office's chain, for the provincial admin (gdd-server audit check).
CREATE TABLE audit_flags (
    id          TEXT PRIMARY KEY,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    kind        TEXT NOT NULL CHECK (kind IN ('fork', 'gap')),
    seq         BIGINT NOT NULL,
    detail      TEXT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    UNIQUE (office_id, kind, seq)
);

-- +goose Down
DROP TABLE audit_flags;
DROP TABLE audit_anchors;
DROP TABLE office_audit_events;
DROP TABLE record_attachments;
DROP TABLE blobs;
ALTER TABLE authority DROP COLUMN root_key_store;
