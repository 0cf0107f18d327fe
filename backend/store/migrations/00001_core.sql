-- Units, the office, local accounts, the hash-chained audit log and the sync outbox.

-- +goose Up
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_code TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_parent ON units (parent_code);

CREATE TABLE offices (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    agency_kind TEXT NOT NULL,
    unit_code   TEXT NOT NULL REFERENCES units (code),
    demo        INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    version       INTEGER NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('clerk', 'approver', 'office_admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    data      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- The head lets verification notice events cut off the end of the chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    payload    TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    sent_at    DATETIME,
    UNIQUE (entity, entity_id, version)
);

-- +goose Down
DROP TABLE outbox;
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE users;
DROP TABLE offices;
DROP TABLE units;
