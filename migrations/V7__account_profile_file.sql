-- TruckIQ schema, version 7: an account may read with its own portal profile file.
--
-- Two accounts of one portal kind can be on two different layouts (a dealer group's portals are
-- not all alike), so the profile is no longer only per kind. The file names the built-in profile it
-- is based on; NULL keeps the kind's profile (with `<data dir>/profiles/<kind>.toml` over it).
ALTER TABLE accounts ADD COLUMN profile_file TEXT CHECK (profile_file IS NULL OR length(trim(profile_file)) > 0);
