-- TruckIQ schema, version 1.
-- Timestamps are UTC text as written by rusqlite's chrono support ("YYYY-MM-DD HH:MM:SS.fff+00:00"),
-- so they sort and compare as text. Booleans are 0/1 integers. Secrets never live here: passwords,
-- TOTP secrets and tokens are in the OS keychain, keyed by account id.
-- `*_source` columns record who wrote a row last ('sync' or 'user') so the UI can tell them apart.

CREATE TABLE accounts (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    portal_kind           TEXT    NOT NULL CHECK (portal_kind IN ('paccar', 'decisiv', 'decisiv_api')),
    base_url              TEXT    NOT NULL CHECK (base_url LIKE 'http://%' OR base_url LIKE 'https://%'),
    username              TEXT    NOT NULL CHECK (length(username) > 0),
    sync_interval_minutes INTEGER NOT NULL DEFAULT 240 CHECK (sync_interval_minutes >= 15),
    enabled               INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- Set when syncing must wait for a person (e.g. the portal rejected the password);
    -- cleared when the credentials change.
    paused_reason         TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL
) STRICT;

CREATE TABLE vehicles (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    vin                TEXT    NOT NULL CHECK (length(vin) = 17),
    unit_number        TEXT,
    model_year         INTEGER CHECK (model_year BETWEEN 1950 AND 2100),
    make               TEXT,
    model              TEXT,
    engine_make        TEXT,
    engine_model       TEXT,
    odometer_mi        REAL    CHECK (odometer_mi >= 0),
    engine_hours       REAL    CHECK (engine_hours >= 0),
    location_latitude  REAL    CHECK (location_latitude BETWEEN -90 AND 90),
    location_longitude REAL    CHECK (location_longitude BETWEEN -180 AND 180),
    location_text      TEXT,
    location_at        TEXT,
    first_seen_at      TEXT    NOT NULL,
    last_seen_at       TEXT    NOT NULL,
    last_synced_at     TEXT,
    write_source       TEXT    NOT NULL DEFAULT 'sync' CHECK (write_source IN ('sync', 'user')),
    UNIQUE (account_id, vin)
) STRICT;

-- Meter history: a row is appended only when odometer or engine hours changed.
CREATE TABLE vehicle_readings (
    id           INTEGER PRIMARY KEY,
    vehicle_id   INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
    recorded_at  TEXT    NOT NULL,
    odometer_mi  REAL    CHECK (odometer_mi >= 0),
    engine_hours REAL    CHECK (engine_hours >= 0),
    write_source TEXT    NOT NULL DEFAULT 'sync' CHECK (write_source IN ('sync', 'user'))
) STRICT;

CREATE INDEX vehicle_readings_by_vehicle ON vehicle_readings (vehicle_id, recorded_at);

-- One row per fault *episode*: the same SA/SPN/FMI on a vehicle from first sighting until it clears.
-- A recurrence after clearing opens a new row, so history is never overwritten.
CREATE TABLE faults (
    id                    INTEGER PRIMARY KEY,
    vehicle_id            INTEGER NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
    source_address        INTEGER NOT NULL CHECK (source_address BETWEEN 0 AND 255),
    spn                   INTEGER NOT NULL CHECK (spn BETWEEN 0 AND 524287),
    fmi                   INTEGER NOT NULL CHECK (fmi BETWEEN 0 AND 31),
    description           TEXT,
    severity              TEXT    NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
    portal_severity_text  TEXT,
    portal_severity_score INTEGER CHECK (portal_severity_score BETWEEN 0 AND 100),
    derate                INTEGER NOT NULL DEFAULT 0 CHECK (derate IN (0, 1)),
    -- DM1 lamp states where the source reports them; NULL = unknown.
    lamp_protect          INTEGER CHECK (lamp_protect IN (0, 1)),
    lamp_amber_warning    INTEGER CHECK (lamp_amber_warning IN (0, 1)),
    lamp_red_stop         INTEGER CHECK (lamp_red_stop IN (0, 1)),
    lamp_mil              INTEGER CHECK (lamp_mil IN (0, 1)),
    active                INTEGER NOT NULL CHECK (active IN (0, 1)),
    first_seen_at         TEXT    NOT NULL,
    last_seen_at          TEXT    NOT NULL,
    occurrence_count      INTEGER NOT NULL DEFAULT 1 CHECK (occurrence_count >= 0),
    cleared_at            TEXT,
    raw_json              TEXT    CHECK (raw_json IS NULL OR json_valid(raw_json)),
    write_source          TEXT    NOT NULL DEFAULT 'sync' CHECK (write_source IN ('sync', 'user')),
    CHECK (cleared_at IS NULL OR active = 0)
) STRICT;

-- At most one open episode per vehicle + SA + SPN + FMI.
CREATE UNIQUE INDEX faults_one_open_episode
    ON faults (vehicle_id, source_address, spn, fmi) WHERE cleared_at IS NULL;
-- Faults list: active faults filtered/ordered by severity.
CREATE INDEX faults_active_by_severity ON faults (severity, last_seen_at) WHERE active = 1;
-- Vehicle detail: a vehicle's faults, newest first.
CREATE INDEX faults_by_vehicle ON faults (vehicle_id, active, last_seen_at);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    trigger         TEXT    NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'partial', 'failed')),
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    vehicles_count  INTEGER NOT NULL DEFAULT 0 CHECK (vehicles_count >= 0),
    faults_count    INTEGER NOT NULL DEFAULT 0 CHECK (faults_count >= 0),
    error_kind      TEXT,
    error_message   TEXT,
    attempt         INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    screenshot_path TEXT,
    CHECK (status IN ('pending', 'in_progress') OR finished_at IS NOT NULL)
) STRICT;

CREATE INDEX sync_runs_by_account ON sync_runs (account_id, started_at);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL
        CHECK (kind IN ('new_critical_fault', 'risk_change', 'sync_failed', 'stale_data', 'mfa_needed')),
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

-- Alerts list and badge: unread first, newest first.
CREATE INDEX alerts_unread ON alerts (created_at) WHERE read_at IS NULL;
CREATE INDEX alerts_by_vehicle ON alerts (vehicle_id, created_at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
) STRICT;
