-- What the province's reports count, kept beside the synced bodies (which are CBOR), and the
-- offices' retention purges: which records lost their personal data, so a copy of one that
-- arrives after its purge is stored purged too.

-- +goose Up
CREATE TABLE permit_facts (
    permit_id      TEXT PRIMARY KEY,
    version        BIGINT NOT NULL,
    office_id      TEXT NOT NULL REFERENCES offices (id),
    application_id TEXT NOT NULL,
    unit_code      TEXT NOT NULL,
    issued_on      TEXT NOT NULL,
    purpose_code   TEXT NOT NULL,
    status         TEXT NOT NULL,
    channel        TEXT NOT NULL,
    signature_kind TEXT NOT NULL
);
CREATE INDEX permit_facts_day ON permit_facts (issued_on, unit_code);

-- The counts reports sum, kept as permits arrive (a new version moves its permit from one
-- cell to another), so a report over millions of permits reads a few thousand rows on
-- either engine.
CREATE TABLE permit_counts (
    issued_on      TEXT NOT NULL,
    unit_code      TEXT NOT NULL,
    purpose_code   TEXT NOT NULL,
    status         TEXT NOT NULL,
    channel        TEXT NOT NULL,
    signature_kind TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (issued_on, unit_code, purpose_code, status, channel, signature_kind)
);

CREATE TABLE purged_records (
    office_id TEXT NOT NULL REFERENCES offices (id),
    entity_id TEXT NOT NULL,
    purge_id  TEXT NOT NULL,
    purged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (office_id, entity_id)
);

-- +goose Down
DROP TABLE purged_records;
DROP TABLE permit_counts;
DROP TABLE permit_facts;
