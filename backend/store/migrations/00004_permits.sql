-- Signed permits, their gapless numbering, the office's signing keys and the provincial
-- trust bundles; leaders get a title for the signature block.

-- +goose Up
ALTER TABLE users ADD COLUMN title TEXT NOT NULL DEFAULT '';

CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    officer    TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES units (code),
    created_at DATETIME NOT NULL
);

CREATE TABLE trust_bundles (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    root_fingerprint     TEXT NOT NULL,
    bundle               BLOB NOT NULL,
    trust_issued_at      DATETIME NOT NULL,
    revocation_issued_at DATETIME NOT NULL,
    imported_at          DATETIME NOT NULL,
    imported_by          TEXT NOT NULL
);

CREATE TABLE permit_counters (
    unit_code TEXT NOT NULL,
    year      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (unit_code, year)
);

CREATE TABLE permits (
    id             TEXT PRIMARY KEY,
    version        INTEGER NOT NULL,
    number         TEXT NOT NULL UNIQUE,
    unit_code      TEXT NOT NULL REFERENCES units (code),
    year           INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    status         TEXT NOT NULL CHECK (status IN ('signed', 'awaiting_hand_signature', 'hand_signed', 'issued', 'revoked')),
    qr             TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    signature_kind TEXT NOT NULL CHECK (signature_kind IN ('digital', 'hand')),
    signer_name    TEXT NOT NULL DEFAULT '',
    signer_title   TEXT NOT NULL DEFAULT '',
    issued_at      DATETIME NOT NULL,
    issued_by      TEXT NOT NULL REFERENCES users (id),
    hand_signed_at DATETIME,
    handed_over_at DATETIME,
    revoked_at     DATETIME,
    revoke_reason  TEXT NOT NULL DEFAULT '',
    revoked_by     TEXT REFERENCES users (id),
    print_count    INTEGER NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (unit_code, year, seq)
);
CREATE INDEX permits_status ON permits (status);

-- +goose Down
DROP TABLE permits;
DROP TABLE permit_counters;
DROP TABLE trust_bundles;
DROP TABLE signing_keys;
ALTER TABLE users DROP COLUMN title;
