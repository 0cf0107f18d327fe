-- Province-owned feeds (units, accounts and roles, locality rules, trust list, revocations)
-- and the accounts the province creates.

-- +goose Up
-- Every version of every province-owned record, in the order it was committed to its feed.
-- seq is assigned from feed_heads under that row's lock, which the writing transaction holds
-- until it commits: a feed's rows become visible in seq order, so a reader reading above its
-- cursor never skips a row committed late. unit_code '' is province-wide; otherwise only that
-- unit's offices read the row. body is the canonical syncwire encoding, signature the
-- provincial root's over it.
CREATE TABLE feed_entries (
    feed       TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    version    BIGINT NOT NULL,
    unit_code  TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    body       BYTEA NOT NULL,
    signature  BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (feed, seq),
    UNIQUE (feed, entity, entity_id, version)
);
CREATE INDEX feed_entries_key ON feed_entries (feed, entity, entity_id, seq);

-- One row per feed: the last seq given out, and the tombstone horizon (rows at or below
-- horizon_seq may have been pruned, so a cursor below it must start again from a snapshot).
CREATE TABLE feed_heads (
    feed        TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL DEFAULT 0,
    horizon_seq BIGINT NOT NULL DEFAULT 0,
    horizon_at  TIMESTAMP
);
INSERT INTO feed_heads (feed) VALUES ('units'), ('accounts'), ('rules'), ('trust_list'), ('revocations');

-- The database's identity: made once (by the first server that needs it). A restored copy
-- gets a new one (gdd-server feeds new-epoch), and offices holding cursors of the old one
-- pull a snapshot again.
CREATE TABLE server_epoch (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    epoch      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Accounts of commune offices, created at the province (the office gets them by the feed).
CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    version       BIGINT NOT NULL,
    unit_code     TEXT NOT NULL,
    username      TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (unit_code, username)
);

-- Locality rules versions set at the province.
CREATE TABLE province_rules (
    id             TEXT PRIMARY KEY,
    unit_code      TEXT NOT NULL,
    rule_version   INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    body           BYTEA NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (unit_code, rule_version)
);

-- Permits revoked at the province.
CREATE TABLE province_revocations (
    number     TEXT PRIMARY KEY,
    unit_code  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    revoked_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE province_revocations;
DROP TABLE province_rules;
DROP TABLE accounts;
DROP TABLE server_epoch;
DROP TABLE feed_heads;
DROP TABLE feed_entries;
