-- TruckIQ schema, version 8: Decisiv SRM API grants.
--
-- One OAuth authorization (a grant) serves every SRM account the person may reach: each becomes a
-- TruckIQ account of kind 'decisiv_api' pointing at its grant. The grant's refresh token lives in
-- the keychain under the grant's uid, never here.
CREATE TABLE api_grants (
    id          INTEGER PRIMARY KEY,
    uid         TEXT    NOT NULL UNIQUE CHECK (length(uid) = 36),
    client_id   TEXT    NOT NULL CHECK (length(trim(client_id)) > 0),
    -- The authorization server (https://login.decisiv.net) and the API (https://srm-api.decisivapps.com).
    login_url   TEXT    NOT NULL CHECK (login_url LIKE 'http://%' OR login_url LIKE 'https://%'),
    api_url     TEXT    NOT NULL CHECK (api_url LIKE 'http://%' OR api_url LIKE 'https://%'),
    created_at  TEXT    NOT NULL,
    -- Set when the authorization server refused the refresh token: a person must sign in again.
    refused_at  TEXT
) STRICT;

ALTER TABLE accounts ADD COLUMN grant_id INTEGER REFERENCES api_grants (id) ON DELETE RESTRICT;
ALTER TABLE accounts ADD COLUMN srm_account_id TEXT;
