-- The account-registration list the office keeps to send the province (one row per person,
-- versioned like other office records), and the mark of an application whose personal data
-- the retention purge removed (its statistics columns stay).

-- +goose Up
CREATE TABLE account_registrations (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    full_name   TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL CHECK (role IN ('receive', 'review', 'sign', 'admin')),
    acts_for    TEXT NOT NULL DEFAULT '', -- unit codes, comma-separated
    has_token   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX account_registrations_id_number ON account_registrations (id_number);

ALTER TABLE applications ADD COLUMN purged_at DATETIME;
CREATE INDEX applications_purge ON applications (valid_to) WHERE purged_at IS NULL;

-- +goose Down
DROP INDEX applications_purge;
ALTER TABLE applications DROP COLUMN purged_at;
DROP TABLE account_registrations;
