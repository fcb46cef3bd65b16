-- TruckIQ schema, version 4: a stable identity per account.
--
-- Row ids are reused after a delete, and every database has an account 1, so what lives outside this
-- file (keychain entries, browser profiles, kept pages, mutes) was at risk of belonging to the wrong
-- login. Each account now has a random UUID (version 4) that is never changed or given again.
ALTER TABLE accounts ADD COLUMN uid TEXT CHECK (uid IS NULL OR length(uid) = 36);
-- 1 while the account's keychain entries may still be under TruckIQ 0.1's `account-{id}` names.
-- Only the app's own database takes those over (see `SecretStore::adopt_row_entries`); another
-- database's accounts ask for their secrets again.
ALTER TABLE accounts ADD COLUMN legacy_keychain INTEGER NOT NULL DEFAULT 0 CHECK (legacy_keychain IN (0, 1));

-- randomblob() is evaluated per row, so every account gets its own random bits; the version nibble
-- is 4 and the variant is one of 8, 9, a, b, as RFC 9562 asks.
UPDATE accounts
   SET legacy_keychain = 1,
       uid = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
             || substr(lower(hex(randomblob(2))), 2) || '-'
             || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-'
             || lower(hex(randomblob(6)));

CREATE UNIQUE INDEX accounts_by_uid ON accounts (uid);
-- SQLite cannot add NOT NULL to an existing column; these keep the column as strict as one.
CREATE TRIGGER accounts_uid_required BEFORE INSERT ON accounts WHEN NEW.uid IS NULL
BEGIN
    SELECT RAISE(ABORT, 'an account needs a uid');
END;
CREATE TRIGGER accounts_uid_never_changes BEFORE UPDATE OF uid ON accounts WHEN NEW.uid IS NOT OLD.uid
BEGIN
    SELECT RAISE(ABORT, 'an account''s uid never changes');
END;

-- Muted trucks were kept as vehicle row ids, which are reused too: they become account UUID + VIN.
UPDATE settings
   SET value = json_set(value, '$.mutedVehicles', json((
           SELECT json_group_array(json_object('account', a.uid, 'vin', v.vin))
             FROM json_each(settings.value, '$.mutedVehicles') AS m
             JOIN vehicles v ON v.id = m.value
             JOIN accounts a ON a.id = v.account_id)))
 WHERE key = 'notifications' AND json_type(value, '$.mutedVehicles') = 'array';
