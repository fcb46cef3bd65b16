-- TruckIQ schema, version 3: active fault counts kept on each vehicle.

-- The Vehicles table filters and sorts 10 000+ trucks by these on every keystroke; counting them
-- from `faults` each time cost a scan of every open episode. They are written together with the
-- health score, whenever a vehicle's diagnostics are read.
ALTER TABLE vehicles ADD COLUMN active_critical INTEGER NOT NULL DEFAULT 0 CHECK (active_critical >= 0);
ALTER TABLE vehicles ADD COLUMN active_major INTEGER NOT NULL DEFAULT 0 CHECK (active_major >= 0);
ALTER TABLE vehicles ADD COLUMN active_faults INTEGER NOT NULL DEFAULT 0 CHECK (active_faults >= 0);

UPDATE vehicles
   SET (active_critical, active_major, active_faults) = (
       SELECT coalesce(sum(f.severity = 'critical'), 0), coalesce(sum(f.severity = 'major'), 0), count(*)
         FROM faults f
        WHERE f.vehicle_id = vehicles.id AND f.active = 1 AND f.cleared_at IS NULL);
