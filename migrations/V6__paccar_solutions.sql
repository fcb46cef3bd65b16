-- TruckIQ schema, version 6: PACCAR Solutions, and portal kinds named for what they are.
--
-- The real paccarsolutions.com is a single-page app over a JSON gateway (`paccar_solutions`). The
-- two server-rendered layouts from the spec keep working under names that say what they are:
-- 'paccar' becomes 'trucktech' (the TruckTech+ pages of spec v1) and 'decisiv' becomes
-- 'decisiv_srm' (the Decisiv SRM pages of spec v2).
--
-- SQLite cannot change a CHECK constraint in place, so `accounts` is rebuilt. TruckIQ runs its
-- migrations with foreign keys off (and checks them afterwards), so dropping the old table deletes
-- none of the rows that refer to it.
CREATE TABLE accounts_v6 (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    portal_kind           TEXT    NOT NULL
                                  CHECK (portal_kind IN ('trucktech', 'decisiv_srm', 'decisiv_api', 'paccar_solutions')),
    base_url              TEXT    NOT NULL CHECK (base_url LIKE 'http://%' OR base_url LIKE 'https://%'),
    username              TEXT    NOT NULL CHECK (length(username) > 0),
    sync_interval_minutes INTEGER NOT NULL DEFAULT 240 CHECK (sync_interval_minutes >= 15),
    enabled               INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    paused_reason         TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    uid                   TEXT    CHECK (uid IS NULL OR length(uid) = 36),
    legacy_keychain       INTEGER NOT NULL DEFAULT 0 CHECK (legacy_keychain IN (0, 1)),
    -- Syncs that skipped unchanged trucks since the last one that read every truck, and whether a
    -- person asked for the next one to read every truck.
    incremental_reads     INTEGER NOT NULL DEFAULT 0 CHECK (incremental_reads >= 0),
    full_read_due         INTEGER NOT NULL DEFAULT 0 CHECK (full_read_due IN (0, 1))
) STRICT;

INSERT INTO accounts_v6 (id, name, portal_kind, base_url, username, sync_interval_minutes, enabled, paused_reason,
                         created_at, updated_at, uid, legacy_keychain)
SELECT id, name,
       CASE portal_kind WHEN 'paccar' THEN 'trucktech' WHEN 'decisiv' THEN 'decisiv_srm' ELSE portal_kind END,
       base_url, username, sync_interval_minutes, enabled, paused_reason, created_at, updated_at, uid, legacy_keychain
  FROM accounts;

DROP TABLE accounts;
ALTER TABLE accounts_v6 RENAME TO accounts;

CREATE UNIQUE INDEX accounts_by_uid ON accounts (uid);
CREATE TRIGGER accounts_uid_required BEFORE INSERT ON accounts WHEN NEW.uid IS NULL
BEGIN
    SELECT RAISE(ABORT, 'an account needs a uid');
END;
CREATE TRIGGER accounts_uid_never_changes BEFORE UPDATE OF uid ON accounts WHEN NEW.uid IS NOT OLD.uid
BEGIN
    SELECT RAISE(ABORT, 'an account''s uid never changes');
END;

-- What the portal says about the truck itself, apart from its faults, and since when.
ALTER TABLE vehicles ADD COLUMN status TEXT CHECK (status IS NULL OR status IN ('not_communicating', 'in_repair'));
ALTER TABLE vehicles ADD COLUMN status_since TEXT;
-- The portal's change marker for the truck, as of the last sync that read (or kept) its faults.
ALTER TABLE vehicles ADD COLUMN portal_timestamp TEXT;
CREATE INDEX vehicles_by_status ON vehicles (account_id, status) WHERE status IS NOT NULL;

-- Alerts gain `not_communicating`: a truck whose telematics device stopped reporting.
CREATE TABLE alerts_v6 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL
        CHECK (kind IN ('new_critical_fault', 'first_sync', 'risk_change', 'sync_failed', 'stale_data', 'mfa_needed',
                        'not_communicating')),
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
INSERT INTO alerts_v6 SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v6 RENAME TO alerts;
CREATE INDEX alerts_unread ON alerts (created_at) WHERE read_at IS NULL;
CREATE INDEX alerts_by_vehicle ON alerts (vehicle_id, created_at);
CREATE UNIQUE INDEX alerts_one_per_episode ON alerts (fault_id) WHERE kind = 'new_critical_fault';
