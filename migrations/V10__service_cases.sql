-- TruckIQ schema, version 10: service cases (Decisiv Asset Management).
--
-- A case is a truck's visit to a service provider. It is kept by VIN, not by vehicle row, because
-- the same truck synced from PACCAR Solutions and from the Decisiv API is one truck to the person:
-- its case shows on either row, and makes it "in repair" on both. The published case names no
-- faults; TruckIQ links them by time when it shows them.
CREATE TABLE service_cases (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    portal_case_id  TEXT    NOT NULL CHECK (length(portal_case_id) > 0),
    vin             TEXT    NOT NULL CHECK (length(vin) = 17),
    -- The number the service provider's people use (reference_number, or the repair order).
    reference       TEXT,
    status          TEXT,
    repair_status   TEXT,
    complaint       TEXT,
    closed          INTEGER NOT NULL CHECK (closed IN (0, 1)),
    opened_at       TEXT,
    downtime_at     TEXT,
    uptime_at       TEXT,
    closed_at       TEXT,
    updated_at      TEXT,
    first_synced_at TEXT    NOT NULL,
    last_synced_at  TEXT    NOT NULL,
    UNIQUE (account_id, portal_case_id)
) STRICT;

CREATE INDEX service_cases_open_by_vin ON service_cases (vin) WHERE closed = 0;
CREATE INDEX service_cases_by_vin ON service_cases (vin, opened_at);

-- "A critical fault with no open case after N hours" is said once per episode.
ALTER TABLE faults ADD COLUMN no_case_noted_at TEXT;

-- Alerts gain `critical_without_case`: a critical fault active for hours on a truck with no open
-- service case.
CREATE TABLE alerts_v10 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL
        CHECK (kind IN ('new_critical_fault', 'first_sync', 'risk_change', 'sync_failed', 'stale_data', 'mfa_needed',
                        'not_communicating', 'critical_without_case')),
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
INSERT INTO alerts_v10 SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v10 RENAME TO alerts;
CREATE INDEX alerts_unread ON alerts (created_at) WHERE read_at IS NULL;
CREATE INDEX alerts_by_vehicle ON alerts (vehicle_id, created_at);
CREATE UNIQUE INDEX alerts_one_per_episode ON alerts (fault_id) WHERE kind = 'new_critical_fault';
