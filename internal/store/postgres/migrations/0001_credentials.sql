-- Provider credentials: everything in clear except the key, sealed with
-- AES-256-GCM under the master key (key_id names which master key).
CREATE TABLE credentials (
    name         TEXT PRIMARY KEY CHECK (name <> ''),
    vendor       TEXT NOT NULL DEFAULT '',
    api_base     TEXT NOT NULL DEFAULT '',
    organization TEXT NOT NULL DEFAULT '',
    project      TEXT NOT NULL DEFAULT '',
    proxy        TEXT NOT NULL DEFAULT '',
    key_sealed   BYTEA NOT NULL,
    key_id       TEXT NOT NULL,
    redacted     TEXT NOT NULL,
    verification JSONB,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- One row counting changes to the configuration (credentials now; projects
-- and virtual keys later, never the usage ledger). Every writer bumps it in
-- its own transaction, so readers can poll it to know when to reload; the
-- row lock also serializes writers.
CREATE TABLE change_counter (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);
