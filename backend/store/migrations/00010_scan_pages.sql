-- Scanned pages of hand-signed permits: each page is kept once (content-addressed, in the
-- blobs table), matched to at most one permit or waiting in the review queue with its
-- reason. The permit records who marked it hand-signed, from which page, and who handed it
-- over.

-- +goose Up
CREATE TABLE scan_pages (
    id             TEXT PRIMARY KEY,
    version        INTEGER NOT NULL,
    unit_code      TEXT NOT NULL REFERENCES units (code),
    content_sha256 TEXT NOT NULL UNIQUE, -- the stored page's SHA-256, or of file+page when unreadable
    blob_sha256    TEXT REFERENCES blobs (sha256),
    thumb_sha256   TEXT REFERENCES blobs (sha256),
    source_name    TEXT NOT NULL,
    source_sha256  TEXT NOT NULL,
    source_page    INTEGER NOT NULL,
    width          INTEGER NOT NULL DEFAULT 0,
    height         INTEGER NOT NULL DEFAULT 0,
    dpi            INTEGER NOT NULL DEFAULT 0,
    scan_dpi       INTEGER NOT NULL DEFAULT 0,
    colour         BOOLEAN NOT NULL DEFAULT FALSE,
    status         TEXT NOT NULL CHECK (status IN ('attached', 'review', 'discarded')),
    reason         TEXT NOT NULL DEFAULT '',
    reason_vi      TEXT NOT NULL DEFAULT '',
    reason_en      TEXT NOT NULL DEFAULT '',
    warning        TEXT NOT NULL DEFAULT '',
    qr_number      TEXT NOT NULL DEFAULT '', -- the permit number the QR names, when it could be read
    permit_id      TEXT REFERENCES permits (id),
    imported_by    TEXT NOT NULL REFERENCES users (id),
    imported_at    DATETIME NOT NULL,
    decided_by     TEXT REFERENCES users (id),
    decided_at     DATETIME,
    discard_reason TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    CHECK ((status = 'attached') = (permit_id IS NOT NULL))
);
CREATE INDEX scan_pages_status ON scan_pages (status, imported_at);
CREATE INDEX scan_pages_source ON scan_pages (source_sha256, source_page);
-- A permit has one signed copy; a page names one permit (permit_id is a single column).
CREATE UNIQUE INDEX scan_pages_one_per_permit ON scan_pages (permit_id) WHERE status = 'attached';

ALTER TABLE permits ADD COLUMN hand_signed_by TEXT REFERENCES users (id);
ALTER TABLE permits ADD COLUMN hand_signed_page TEXT REFERENCES scan_pages (id);
ALTER TABLE permits ADD COLUMN handed_over_by TEXT REFERENCES users (id);

-- +goose Down
ALTER TABLE permits DROP COLUMN handed_over_by;
ALTER TABLE permits DROP COLUMN hand_signed_page;
ALTER TABLE permits DROP COLUMN hand_signed_by;
DROP TABLE scan_pages;
