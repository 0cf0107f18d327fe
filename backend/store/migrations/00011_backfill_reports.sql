-- Paper-issued permits entered afterwards (backfill), and the columns reports group by.
-- channel tells a walk-in permit from a paper one; a paper permit keeps the number written on
-- the paper and has no QR. issued_on is the office's (Vietnam) calendar day of issue and
-- purpose_code is copied from the application, so that a report over a million permits reads
-- one covering index instead of joining applications.

-- +goose Up
ALTER TABLE permits ADD COLUMN channel TEXT NOT NULL DEFAULT 'walk_in' CHECK (channel IN ('walk_in', 'paper_backfill'));
ALTER TABLE permits ADD COLUMN paper_number TEXT NOT NULL DEFAULT '';
ALTER TABLE permits ADD COLUMN issued_on TEXT NOT NULL DEFAULT '';
ALTER TABLE permits ADD COLUMN purpose_code TEXT NOT NULL DEFAULT '';
UPDATE permits SET issued_on = date(issued_at, '+7 hours'),
    purpose_code = (SELECT purpose_code FROM applications WHERE applications.id = permits.application_id);
-- A paper permit's identity: the office, the paper's number and its issue date. Importing the
-- same row twice (from the same file or another) hits this index and adds nothing.
CREATE UNIQUE INDEX permits_paper_identity ON permits (unit_code, paper_number, issued_on) WHERE channel = 'paper_backfill';
CREATE INDEX permits_report ON permits (issued_on, unit_code, purpose_code, status, channel, signature_kind);

-- +goose Down
DROP INDEX permits_report;
DROP INDEX permits_paper_identity;
ALTER TABLE permits DROP COLUMN purpose_code;
ALTER TABLE permits DROP COLUMN issued_on;
ALTER TABLE permits DROP COLUMN paper_number;
ALTER TABLE permits DROP COLUMN channel;
