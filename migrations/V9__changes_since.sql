-- TruckIQ schema, version 9: reads of only what changed.
--
-- The Decisiv API publishes a time filter on diagnostic readings: a sync can ask for what was
-- reported after the last one it stored. That point is the portal's own clock (the latest report
-- the last read saw), never ours, so a clock that differs cannot make a read skip anything.
ALTER TABLE accounts ADD COLUMN changes_since TEXT;
