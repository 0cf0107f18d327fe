-- Leaders' signing tokens: a FIDO credential or a PKCS#11 certificate bound to an approver,
-- and what signing with one leaves on a permit (who, when, the signed PDF as a blob).

-- +goose Up
ALTER TABLE signing_keys ADD COLUMN user_id TEXT REFERENCES users (id);
ALTER TABLE signing_keys ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'ES256';
ALTER TABLE signing_keys ADD COLUMN credential_id BLOB;
ALTER TABLE signing_keys ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
ALTER TABLE signing_keys ADD COLUMN certificate BLOB;
ALTER TABLE signing_keys ADD COLUMN token_label TEXT NOT NULL DEFAULT '';
ALTER TABLE signing_keys ADD COLUMN valid_from DATETIME;
ALTER TABLE signing_keys ADD COLUMN valid_to DATETIME;
CREATE INDEX signing_keys_user ON signing_keys (user_id);

ALTER TABLE permits ADD COLUMN signed_at DATETIME;
ALTER TABLE permits ADD COLUMN signed_by TEXT REFERENCES users (id);
ALTER TABLE permits ADD COLUMN signed_pdf TEXT NOT NULL DEFAULT '';

-- Content-addressed files (signed PDFs): the key is the SHA-256 of the bytes, so storing
-- the same file twice is one row and a retried write is harmless.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE blobs;
ALTER TABLE permits DROP COLUMN signed_pdf;
ALTER TABLE permits DROP COLUMN signed_by;
ALTER TABLE permits DROP COLUMN signed_at;
DROP INDEX signing_keys_user;
ALTER TABLE signing_keys DROP COLUMN valid_to;
ALTER TABLE signing_keys DROP COLUMN valid_from;
ALTER TABLE signing_keys DROP COLUMN token_label;
ALTER TABLE signing_keys DROP COLUMN certificate;
ALTER TABLE signing_keys DROP COLUMN protocol;
ALTER TABLE signing_keys DROP COLUMN credential_id;
ALTER TABLE signing_keys DROP COLUMN algorithm;
ALTER TABLE signing_keys DROP COLUMN user_id;
