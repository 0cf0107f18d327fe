-- The office's side of push: what the province answered for each outbox entry, and when the
-- office last tried and last managed to sync.

-- +goose Up
-- push_status: '' waiting; applied or duplicate (done); conflict, rejected or unsendable (done
-- sending, kept for a person with push_reason); local (a province-owned kind, never pushed).
-- An entry stays waiting (sent_at NULL) while the province answers retry.
ALTER TABLE outbox ADD COLUMN push_status TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN push_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN push_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_waiting ON outbox (seq) WHERE sent_at IS NULL;

CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    last_attempt_at DATETIME,
    last_success_at DATETIME,
    last_error      TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE sync_state;
DROP INDEX outbox_waiting;
ALTER TABLE outbox DROP COLUMN push_attempts;
ALTER TABLE outbox DROP COLUMN push_reason;
ALTER TABLE outbox DROP COLUMN push_status;
