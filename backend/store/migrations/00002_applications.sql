-- Locality rules (one immutable row per version) and walk-in applications.

-- +goose Up
CREATE TABLE rules (
    id               TEXT PRIMARY KEY,
    version          INTEGER NOT NULL,
    unit_code        TEXT NOT NULL REFERENCES units (code),
    rule_version     INTEGER NOT NULL,
    permits_required INTEGER NOT NULL,
    purposes         TEXT NOT NULL,
    max_days         INTEGER NOT NULL CHECK (max_days > 0),
    curfew_start     TEXT NOT NULL DEFAULT '',
    curfew_end       TEXT NOT NULL DEFAULT '',
    updated_by       TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    UNIQUE (unit_code, rule_version)
);

CREATE TABLE applications (
    id                     TEXT PRIMARY KEY,
    version                INTEGER NOT NULL,
    office_unit_code       TEXT NOT NULL REFERENCES units (code),
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    full_name              TEXT NOT NULL,
    search_text            TEXT NOT NULL,
    birth_date             TEXT NOT NULL,
    gender                 TEXT NOT NULL,
    id_number              TEXT NOT NULL,
    phone                  TEXT NOT NULL DEFAULT '',
    residence_commune_code TEXT NOT NULL REFERENCES units (code),
    residence_street       TEXT NOT NULL DEFAULT '',
    workplace              TEXT NOT NULL DEFAULT '',
    purpose_code           TEXT NOT NULL,
    route_from             TEXT NOT NULL,
    route_to               TEXT NOT NULL,
    vehicle_type           TEXT NOT NULL,
    vehicle_plate          TEXT NOT NULL DEFAULT '',
    valid_from             TEXT NOT NULL,
    valid_to               TEXT NOT NULL,
    note                   TEXT NOT NULL DEFAULT '',
    reject_reason          TEXT NOT NULL DEFAULT '',
    rules_version          INTEGER NOT NULL,
    created_by             TEXT NOT NULL REFERENCES users (id),
    decided_by             TEXT REFERENCES users (id),
    decided_at             DATETIME,
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL
);
CREATE INDEX applications_created ON applications (created_at);
CREATE INDEX applications_status_created ON applications (status, created_at);
CREATE INDEX applications_id_number ON applications (id_number);

-- +goose Down
DROP TABLE applications;
DROP TABLE rules;
