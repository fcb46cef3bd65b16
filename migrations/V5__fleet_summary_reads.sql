-- TruckIQ schema, version 5: the fleet summary without a pass over every open fault.
--
-- The Fleet view and the tray read the summary while syncs write; with 10 000 trucks and 100 000
-- open faults, counting tiers and grouping codes from `faults` took most of 200 ms.

-- Minor faults counted on each truck, like critical and major ones (V3), written with them.
ALTER TABLE vehicles ADD COLUMN active_minor INTEGER NOT NULL DEFAULT 0 CHECK (active_minor >= 0);
UPDATE vehicles
   SET active_minor = (
       SELECT count(*) FROM faults f
        WHERE f.vehicle_id = vehicles.id AND f.active = 1 AND f.cleared_at IS NULL AND f.severity = 'minor');

-- The most frequent active faults, grouped by code in index order. It holds every column the count
-- needs, and none that a sync rewrites on every run.
CREATE INDEX faults_open_by_code ON faults (spn, fmi, vehicle_id) WHERE active = 1 AND cleared_at IS NULL;

-- Why a run failed is a closed set now (`FailureReason`). TruckIQ 0.1 could store `keychain` for a
-- keychain failure met inside the browser connector; any other text it never wrote.
UPDATE sync_runs SET error_kind = 'keychain_error' WHERE error_kind = 'keychain';
