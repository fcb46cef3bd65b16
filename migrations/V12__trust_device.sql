-- TruckIQ schema, version 12: "Trust this device" is each account's own choice.
--
-- On (the default, as before): TruckIQ ticks the portal's "trust this device" box, and the
-- portal's cookie stays in the account's browser profile, sparing MFA prompts. Off: the box is
-- left unticked and the profile folder is removed after every run, so nothing of the portal stays
-- on disk between runs (the session cookies stay in the keychain, as for every account).
ALTER TABLE accounts ADD COLUMN trust_device INTEGER NOT NULL DEFAULT 1 CHECK (trust_device IN (0, 1));
