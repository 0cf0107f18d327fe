-- Issue 9: lists in order (each bundle's sequence numbers and expiry, so an import never goes
-- back), and how the office key is held (tpm, dpapi or file) and when it was replaced.

-- +goose Up
ALTER TABLE trust_bundles ADD COLUMN trust_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trust_bundles ADD COLUMN revocation_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trust_bundles ADD COLUMN trust_expires_at DATETIME;
ALTER TABLE trust_bundles ADD COLUMN revocation_expires_at DATETIME;
ALTER TABLE signing_keys ADD COLUMN protection TEXT NOT NULL DEFAULT '';
ALTER TABLE signing_keys ADD COLUMN retired_at DATETIME;

-- +goose Down
ALTER TABLE signing_keys DROP COLUMN retired_at;
ALTER TABLE signing_keys DROP COLUMN protection;
ALTER TABLE trust_bundles DROP COLUMN revocation_expires_at;
ALTER TABLE trust_bundles DROP COLUMN trust_expires_at;
ALTER TABLE trust_bundles DROP COLUMN revocation_sequence;
ALTER TABLE trust_bundles DROP COLUMN trust_sequence;
