-- Account and token hardening (issue 9, findings 7 and 10): a new or reset approver waits
-- before deciding, each user's last seen account-change notice, and per FIDO credential the
-- highest signature counter seen and the attestation format given at enrolment.

-- +goose Up
ALTER TABLE users ADD COLUMN decide_after DATETIME;
ALTER TABLE users ADD COLUMN notices_seen_seq INTEGER NOT NULL DEFAULT 0;
-- Existing accounts start with nothing to read: the notices cover changes from now on.
UPDATE users SET notices_seen_seq = COALESCE((SELECT seq FROM audit_head WHERE id = 1), 0);
ALTER TABLE signing_keys ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signing_keys ADD COLUMN attestation_format TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE signing_keys DROP COLUMN attestation_format;
ALTER TABLE signing_keys DROP COLUMN sign_count;
ALTER TABLE users DROP COLUMN notices_seen_seq;
ALTER TABLE users DROP COLUMN decide_after;
