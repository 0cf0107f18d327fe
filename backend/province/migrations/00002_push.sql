-- Office-owned records pushed by offices, and what could not be accepted.

-- +goose Up
-- One row per (entity, id, version): the database, not a read before the write, decides that
-- a version arrives once. body is the record's canonical syncwire encoding, hash its SHA-256.
CREATE TABLE office_records (
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    unit_code   TEXT NOT NULL,
    body        BYTEA NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entity, entity_id, version)
);
CREATE INDEX office_records_office ON office_records (office_id, received_at);

-- A conflict (same version, another body) or a rejected record (invalid), kept for a person:
-- never merged, never dropped. The same bad item sent again is recorded once.
CREATE TABLE push_quarantine (
    id          TEXT PRIMARY KEY,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    status      TEXT NOT NULL CHECK (status IN ('conflict', 'rejected')),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    version     BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        BYTEA NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (office_id, hash)
);

-- +goose Down
DROP TABLE push_quarantine;
DROP TABLE office_records;
