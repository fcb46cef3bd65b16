-- TruckIQ schema, version 15: alert channels (webhooks, Slack, Teams, Discord, ntfy, e-mail) and
-- the outbox that delivers to them.
--
-- An alert is written once; what each channel is to be sent goes into `outbox` in the same
-- transaction, so a crash can lose neither. A delivery worker (in the app, and in `truckiq sync`
-- for people who run it from cron) sends from it, one process at a time by a lease in `leases`.
-- Everything a channel needs to be reached that could be used by someone else (webhook URLs, ntfy
-- topic URLs, signing secrets, tokens, SMTP passwords) is in the keychain, under the channel's uid.

CREATE TABLE channels (
    id          INTEGER PRIMARY KEY,
    uid         TEXT    NOT NULL UNIQUE CHECK (length(uid) = 36),
    name        TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    kind        TEXT    NOT NULL CHECK (kind IN ('webhook', 'slack', 'teams', 'discord', 'ntfy', 'email')),
    -- Where it goes, as can be shown: a URL's scheme and host, or the e-mail recipients.
    target      TEXT    NOT NULL,
    -- JSON: what is not secret about reaching it (SMTP server, port, TLS, sender, recipients).
    settings    TEXT    NOT NULL DEFAULT '{}',
    -- JSON: which alerts it gets (kinds, tiers, accounts) and its quiet hours.
    rules       TEXT    NOT NULL DEFAULT '{}',
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT    NOT NULL
) STRICT;

-- Alerts gain a uid (the idempotency key receivers drop duplicates by: row ids are reused after a
-- delete and collide across databases), and the kind `channel_failing`, raised in the window when
-- a channel could not be reached for a day; it names its channel.
CREATE TABLE alerts_v15 (
    id              INTEGER PRIMARY KEY,
    uid             TEXT    NOT NULL UNIQUE CHECK (length(uid) = 36),
    kind            TEXT    NOT NULL
        CHECK (kind IN ('new_critical_fault', 'first_sync', 'risk_change', 'sync_failed', 'stale_data', 'mfa_needed',
                        'not_communicating', 'critical_without_case', 'channel_failing')),
    severity        TEXT    NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
    account_id      INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    vehicle_id      INTEGER REFERENCES vehicles (id) ON DELETE CASCADE,
    fault_id        INTEGER REFERENCES faults (id) ON DELETE CASCADE,
    sync_run_id     INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL,
    channel_id      INTEGER REFERENCES channels (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    message         TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    read_at         TEXT,
    acknowledged_at TEXT,
    snoozed_until   TEXT
) STRICT;
-- Alerts from before: a random version 4 UUID each (they are never sent, but keys stay unique).
INSERT INTO alerts_v15
SELECT id,
       lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
             substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' ||
             hex(randomblob(6))),
       kind, severity, account_id, vehicle_id, fault_id, sync_run_id, NULL, title, message, created_at, read_at,
       acknowledged_at, snoozed_until
  FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v15 RENAME TO alerts;
CREATE INDEX alerts_unread ON alerts (created_at) WHERE read_at IS NULL;
CREATE INDEX alerts_by_vehicle ON alerts (vehicle_id, created_at);
CREATE UNIQUE INDEX alerts_one_per_episode ON alerts (fault_id) WHERE kind = 'new_critical_fault';
-- One "channel failing" alert at a time per channel, until it is dealt with.
CREATE UNIQUE INDEX alerts_one_failing_per_channel ON alerts (channel_id)
    WHERE kind = 'channel_failing' AND acknowledged_at IS NULL;

-- One message for one channel: an alert, or a digest of a sync run's non-urgent alerts.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    -- The idempotency key sent with every attempt: the alert's uid, or the digest's own.
    message_key     TEXT    NOT NULL CHECK (length(message_key) = 36),
    -- Critical: never folded into a digest, and through quiet hours when the channel says so.
    urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    -- The message as the generic webhook body (docs/webhooks.md); each channel's format is made
    -- from it when sent, so what was true when the alert was raised is what is said.
    event           TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at      TEXT    NOT NULL,
    -- Not before then: quiet hours, or the back-off after a failed attempt.
    next_attempt_at TEXT    NOT NULL,
    -- Still failing then, it is marked failed and the channel raises "channel failing".
    give_up_at      TEXT    NOT NULL,
    last_answer     TEXT,
    finished_at     TEXT,
    UNIQUE (channel_id, message_key)
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_by_channel ON outbox (channel_id, created_at);

-- The alerts a message carries (one, or a digest's several).
CREATE TABLE outbox_alerts (
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    alert_id  INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    PRIMARY KEY (outbox_id, alert_id)
) STRICT, WITHOUT ROWID;

-- Every attempt and what the other side answered: the channel's delivery log.
CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
    -- The HTTP status or SMTP reply code, when there was an answer.
    status      INTEGER,
    answer      TEXT    NOT NULL,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0)
) STRICT;
CREATE INDEX delivery_attempts_by_message ON delivery_attempts (outbox_id, at);

-- Work only one process may do at a time (delivering the outbox), held until `expires_at` and
-- renewed while working; a holder that died is taken over once its lease has run out.
CREATE TABLE leases (
    name       TEXT NOT NULL PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
