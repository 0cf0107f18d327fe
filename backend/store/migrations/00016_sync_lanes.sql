-- The office's side of the attachments lane and of the anchored audit chain.

-- +goose Up
-- Every sent outbox entry of a kind that can carry attachments, once looked at: how many
-- attachments its record refers to. An entry not here has not been looked at yet.
CREATE TABLE sync_attachment_scan (
    outbox_seq INTEGER PRIMARY KEY REFERENCES outbox (seq),
    expected   INTEGER NOT NULL
);

-- Each attachment a sent record refers to, and whether the province has said it holds it.
CREATE TABLE sync_attachments (
    outbox_seq INTEGER NOT NULL REFERENCES outbox (seq),
    sha256     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    present    INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (outbox_seq, sha256)
);
CREATE INDEX sync_attachments_missing ON sync_attachments (sha256) WHERE present = 0;
CREATE INDEX sync_attachments_record ON sync_attachments (entity, entity_id, version);

-- The province's signed receipts of this office's audit chain head, one per receipted seq.
-- `gddctl audit verify` checks that the local chain still holds each hash at its seq.
CREATE TABLE audit_receipts (
    seq           INTEGER PRIMARY KEY,
    hash          TEXT NOT NULL,
    office_id     TEXT NOT NULL,
    unit_code     TEXT NOT NULL,
    signed_at     TEXT NOT NULL,
    root_key_hash TEXT NOT NULL,
    signature     BLOB NOT NULL,
    received_at   DATETIME NOT NULL
);

-- How far the audit chain has been pushed: events travel from the chain itself, in order,
-- after the records (the outbox does not carry them).
CREATE TABLE audit_push (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);

-- +goose Down
DROP TABLE audit_push;
DROP TABLE audit_receipts;
DROP INDEX sync_attachments_record;
DROP INDEX sync_attachments_missing;
DROP TABLE sync_attachments;
DROP TABLE sync_attachment_scan;
