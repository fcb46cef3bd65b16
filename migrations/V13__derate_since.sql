-- TruckIQ schema, version 13: when each fault episode's engine derate began.
--
-- `derate` said only whether a derate is on now, and each update overwrote it, so nobody could
-- tell how long a truck had been limited. `derate_since` is set when an episode is first seen
-- derated and cleared when the derate ends. For episodes derated before this version the start is
-- unknown; the episode's first sighting is the earliest it can have been.
ALTER TABLE faults ADD COLUMN derate_since TEXT CHECK (derate_since IS NULL OR derate = 1);
UPDATE faults SET derate_since = first_seen_at WHERE derate = 1;
