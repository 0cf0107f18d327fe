-- The office's side of pull: a cursor per province-owned feed, and what was pulled, with the
-- province's signature, so it can be checked again whenever it is used.

-- +goose Up
-- gen counts snapshots: a snapshot (a new office, or after a 410) writes its rows with the
-- next gen; when its last page is applied, the rows of older gens are what the province no
-- longer has, and go.
CREATE TABLE pull_cursors (
    feed         TEXT PRIMARY KEY,
    cursor       TEXT NOT NULL DEFAULT '',
    gen          INTEGER NOT NULL DEFAULT 0,
    in_snapshot  INTEGER NOT NULL DEFAULT 0,
    pulled       INTEGER NOT NULL DEFAULT 0,
    last_pull_at DATETIME,
    reset_reason TEXT NOT NULL DEFAULT ''
);

-- Signed province records other than revocations: accounts, roles, units, rules, trust lists.
CREATE TABLE pulled_records (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    feed      TEXT NOT NULL,
    version   INTEGER NOT NULL,
    record    BLOB NOT NULL,
    signature BLOB NOT NULL,
    gen       INTEGER NOT NULL,
    pulled_at DATETIME NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
CREATE INDEX pulled_records_gen ON pulled_records (feed, gen);

-- Permits revoked at the province (the verify path reads one number at a time).
CREATE TABLE pulled_revocations (
    number     TEXT PRIMARY KEY,
    unit_code  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    revoked_at DATETIME NOT NULL,
    record     BLOB NOT NULL,
    signature  BLOB NOT NULL,
    gen        INTEGER NOT NULL
);
CREATE INDEX pulled_revocations_gen ON pulled_revocations (gen);

-- The day a rules version takes effect ('' = at once); the province publishes ahead.
ALTER TABLE rules ADD COLUMN effective_from TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE rules DROP COLUMN effective_from;
DROP TABLE pulled_revocations;
DROP TABLE pulled_records;
DROP TABLE pull_cursors;
