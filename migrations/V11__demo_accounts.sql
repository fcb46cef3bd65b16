-- TruckIQ schema, version 11: the demo's accounts are marked as such.
--
-- The demo used to find its accounts by name, so it would take over a real account a person had
-- called "Demo fleet": point it at a simulator and overwrite its password. It finds them by this
-- flag now. Earlier demo accounts are the ones with a demo name on a simulator on this machine.
ALTER TABLE accounts ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));

UPDATE accounts SET demo = 1
 WHERE name IN ('Demo fleet', 'Demo fleet — PACCAR Solutions', 'Demo fleet — Decisiv API')
   AND (base_url LIKE 'http://127.0.0.1:%' OR base_url LIKE 'http://localhost:%');
