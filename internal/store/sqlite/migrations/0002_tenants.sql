-- Projects: who uses keygate, the model aliases they may use ('[]' = all)
-- and limits shared by all their keys. Zero means no limit.
CREATE TABLE projects (
    name         TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
    models       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(models) AND json_type(models) = 'array'),
    rpm          INTEGER NOT NULL DEFAULT 0 CHECK (rpm >= 0),
    tpm          INTEGER NOT NULL DEFAULT 0 CHECK (tpm >= 0),
    rpd          INTEGER NOT NULL DEFAULT 0 CHECK (rpd >= 0),
    budget_nanos INTEGER NOT NULL DEFAULT 0 CHECK (budget_nanos >= 0), -- USD × 10⁹
    period       TEXT NOT NULL DEFAULT '' CHECK (period IN ('', 'day', 'week', 'month', 'total')),
    created_at   TEXT NOT NULL, -- UTC, 2006-01-02T15:04:05.000000Z
    updated_at   TEXT NOT NULL
) STRICT;

-- Virtual keys: only the SHA-256 of the key is kept. A project cannot be
-- deleted while it has keys.
CREATE TABLE virtual_keys (
    id           TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
    project      TEXT NOT NULL REFERENCES projects (name) ON DELETE RESTRICT,
    name         TEXT NOT NULL DEFAULT '',
    hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    hint         TEXT NOT NULL DEFAULT '',
    rpm          INTEGER NOT NULL DEFAULT 0 CHECK (rpm >= 0),
    tpm          INTEGER NOT NULL DEFAULT 0 CHECK (tpm >= 0),
    rpd          INTEGER NOT NULL DEFAULT 0 CHECK (rpd >= 0),
    budget_nanos INTEGER NOT NULL DEFAULT 0 CHECK (budget_nanos >= 0),
    period       TEXT NOT NULL DEFAULT '' CHECK (period IN ('', 'day', 'week', 'month', 'total')),
    expires_at   TEXT,
    revoked_at   TEXT,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX virtual_keys_project ON virtual_keys (project, created_at);

-- The usage ledger: one row per request, written in batches. No foreign
-- keys and no checks beyond the id: a record must never be refused because
-- its project or key has since been deleted. Inserts do not bump
-- change_counter.
CREATE TABLE usage (
    request_id        TEXT PRIMARY KEY NOT NULL CHECK (request_id <> ''),
    time              TEXT NOT NULL, -- UTC, 2006-01-02T15:04:05.000000Z
    project           TEXT NOT NULL,
    key_id            TEXT NOT NULL,
    alias             TEXT NOT NULL,
    deployment        TEXT NOT NULL,
    upstream_model    TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens  INTEGER NOT NULL,
    cost_nanos        INTEGER NOT NULL, -- USD × 10⁹
    status            INTEGER NOT NULL,
    latency_ms        INTEGER NOT NULL,
    estimated         INTEGER NOT NULL -- 1 if keygate counted the tokens
) STRICT;
CREATE INDEX usage_project_time ON usage (project, time);
CREATE INDEX usage_key_time ON usage (key_id, time);
