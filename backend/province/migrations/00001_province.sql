-- The provincial server's own schema. One set of migrations for SQLite and PostgreSQL: only
-- types both read the same way (TEXT, BIGINT, INTEGER, TIMESTAMP holding UTC).

-- +goose Up
-- The province's certificate authority, one row. The root key is not here: it stays sealed
-- in the data directory (or a token) and is opened only to sign lists and renew the CA. The
-- online keys (the office CA's and the TLS server's) are sealed under the CA passphrase, so
-- every instance on this database can serve, and a database copy alone opens nothing.
CREATE TABLE authority (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    province_name TEXT NOT NULL,
    root_cert     TEXT NOT NULL,
    root_key_hash TEXT NOT NULL,
    ca_cert       TEXT NOT NULL,
    ca_key        TEXT NOT NULL,
    server_cert   TEXT NOT NULL,
    server_key    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

-- Provincial administrators (the web UI and account feed come later).
CREATE TABLE admins (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

-- An office is one enrolled installation for a unit.
CREATE TABLE offices (
    id         TEXT PRIMARY KEY,
    unit_code  TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX offices_unit ON offices (unit_code);

-- One-time enrollment codes: only the secret's hash is kept. Once used, a code is bound to
-- the key that used it (key_hash) and its certificate, so a lost answer can be fetched
-- again by the same key and by no other.
CREATE TABLE enrollment_codes (
    selector        TEXT PRIMARY KEY,
    secret_hash     TEXT NOT NULL,
    office_id       TEXT NOT NULL REFERENCES offices (id),
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    used_at         TIMESTAMP,
    key_hash        TEXT,
    cert_serial     TEXT
);
CREATE INDEX enrollment_codes_office ON enrollment_codes (office_id);

CREATE TABLE office_certificates (
    serial        TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL REFERENCES offices (id),
    key_hash      TEXT NOT NULL,
    cert          TEXT NOT NULL,
    not_before    TIMESTAMP NOT NULL,
    not_after     TIMESTAMP NOT NULL,
    issued_at     TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP,
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX office_certificates_office ON office_certificates (office_id);

-- Failed enrollment attempts per client address, shared by every instance, for the rate limit.
CREATE TABLE enroll_failures (
    id     TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    at     TIMESTAMP NOT NULL
);
CREATE INDEX enroll_failures_client ON enroll_failures (client, at);

-- The server's own hash-chained audit log (backend/audit's layout).
CREATE TABLE audit_events (
    seq       BIGINT PRIMARY KEY,
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
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE enroll_failures;
DROP TABLE office_certificates;
DROP TABLE enrollment_codes;
DROP TABLE offices;
DROP TABLE admins;
DROP TABLE authority;
