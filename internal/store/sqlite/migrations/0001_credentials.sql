-- Provider credentials: everything in clear except the key, sealed with
-- AES-256-GCM under the master key (key_id names which master key).
CREATE TABLE credentials (
    name         TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
    vendor       TEXT NOT NULL DEFAULT '',
    api_base     TEXT NOT NULL DEFAULT '',
    organization TEXT NOT NULL DEFAULT '',
    project      TEXT NOT NULL DEFAULT '',
    proxy        TEXT NOT NULL DEFAULT '',
    key_sealed   BLOB NOT NULL,
    key_id       TEXT NOT NULL,
    redacted     TEXT NOT NULL,
    verification TEXT CHECK (verification IS NULL OR json_valid(verification)),
    created_at   TEXT NOT NULL, -- UTC, 2006-01-02T15:04:05.000000Z
    updated_at   TEXT NOT NULL
) STRICT;

-- One row counting changes to the configuration (credentials now; projects
-- and virtual keys later, never the usage ledger). Every writer bumps it in
-- its own transaction, so readers can poll it to know when to reload.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO change_counter (id, value) VALUES (1, 0);
