-- TruckIQ schema, version 2: what the sync engine records.

-- Health of each vehicle from its active faults (recomputed whenever its diagnostics are read), so a
-- crossing between bands can raise a `risk_change` alert.
ALTER TABLE vehicles ADD COLUMN health_score INTEGER CHECK (health_score BETWEEN 0 AND 100);
ALTER TABLE vehicles ADD COLUMN health_band TEXT CHECK (health_band IN ('good', 'attention', 'critical'));

-- When an episode was first seen active and critical: its alert (or the first sync's summary) has
-- been raised, so it is never raised again, whatever happens to the episode later.
ALTER TABLE faults ADD COLUMN critical_noted_at TEXT;

-- Run outcomes beyond the totals.
ALTER TABLE sync_runs ADD COLUMN vehicles_failed INTEGER NOT NULL DEFAULT 0 CHECK (vehicles_failed >= 0);
ALTER TABLE sync_runs ADD COLUMN faults_opened INTEGER NOT NULL DEFAULT 0 CHECK (faults_opened >= 0);
ALTER TABLE sync_runs ADD COLUMN faults_closed INTEGER NOT NULL DEFAULT 0 CHECK (faults_closed >= 0);
ALTER TABLE sync_runs ADD COLUMN html_path TEXT;

-- Alerts gain `first_sync` (the one summary raised instead of per-fault alerts when an account is
-- synced for the first time). SQLite cannot change a CHECK in place, so the table is rebuilt.
CREATE TABLE alerts_v2 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL
        CHECK (kind IN ('new_critical_fault', 'first_sync', 'risk_change', 'sync_failed', 'stale_data', 'mfa_needed')),
    severity        TEXT    NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
    account_id      INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    vehicle_id      INTEGER REFERENCES vehicles (id) ON DELETE CASCADE,
    fault_id        INTEGER REFERENCES faults (id) ON DELETE CASCADE,
    sync_run_id     INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    message         TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    read_at         TEXT,
    acknowledged_at TEXT,
    snoozed_until   TEXT
) STRICT;
INSERT INTO alerts_v2 SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v2 RENAME TO alerts;
CREATE INDEX alerts_unread ON alerts (created_at) WHERE read_at IS NULL;
CREATE INDEX alerts_by_vehicle ON alerts (vehicle_id, created_at);
-- At most one new_critical_fault alert per fault episode, enforced by the database.
CREATE UNIQUE INDEX alerts_one_per_episode ON alerts (fault_id) WHERE kind = 'new_critical_fault';

-- Every sync moves `last_seen_at` on every open episode; indexes that contain it were rewritten
-- for every fault at every sync. These serve the same lookups without it (lists sort the few
-- rows they find).
DROP INDEX faults_active_by_severity;
CREATE INDEX faults_active_by_severity ON faults (severity) WHERE active = 1;
DROP INDEX faults_by_vehicle;
CREATE INDEX faults_by_vehicle ON faults (vehicle_id);
