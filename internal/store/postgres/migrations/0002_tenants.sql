-- Projects: who uses keygate, the model aliases they may use ('[]' = all)
-- and limits shared by all their keys. Zero means no limit.
CREATE TABLE projects (
    name         TEXT PRIMARY KEY CHECK (name <> ''),
    models       JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(models) = 'array'),
    rpm          BIGINT NOT NULL DEFAULT 0 CHECK (rpm >= 0),
    tpm          BIGINT NOT NULL DEFAULT 0 CHECK (tpm >= 0),
    rpd          BIGINT NOT NULL DEFAULT 0 CHECK (rpd >= 0),
    budget_nanos BIGINT NOT NULL DEFAULT 0 CHECK (budget_nanos >= 0), -- USD × 10⁹
    period       TEXT NOT NULL DEFAULT '' CHECK (period IN ('', 'day', 'week', 'month', 'total')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Virtual keys: only the SHA-256 of the key is kept. A project cannot be
-- deleted while it has keys.
CREATE TABLE virtual_keys (
    id           TEXT PRIMARY KEY CHECK (id <> ''),
    project      TEXT NOT NULL REFERENCES projects (name) ON DELETE RESTRICT,
    name         TEXT NOT NULL DEFAULT '',
    hash         BYTEA NOT NULL UNIQUE CHECK (length(hash) = 32),
    hint         TEXT NOT NULL DEFAULT '',
    rpm          BIGINT NOT NULL DEFAULT 0 CHECK (rpm >= 0),
    tpm          BIGINT NOT NULL DEFAULT 0 CHECK (tpm >= 0),
    rpd          BIGINT NOT NULL DEFAULT 0 CHECK (rpd >= 0),
    budget_nanos BIGINT NOT NULL DEFAULT 0 CHECK (budget_nanos >= 0),
    period       TEXT NOT NULL DEFAULT '' CHECK (period IN ('', 'day', 'week', 'month', 'total')),
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX virtual_keys_project ON virtual_keys (project, created_at);

-- The usage ledger: one row per request, written in batches. No foreign
-- keys and no checks beyond the id: a record must never be refused because
-- its project or key has since been deleted. Inserts do not bump
-- change_counter (nor take its lock).
CREATE TABLE usage (
    request_id        TEXT PRIMARY KEY CHECK (request_id <> ''),
    time              TIMESTAMPTZ NOT NULL,
    project           TEXT NOT NULL,
    key_id            TEXT NOT NULL,
    alias             TEXT NOT NULL,
    deployment        TEXT NOT NULL,
    upstream_model    TEXT NOT NULL,
    prompt_tokens     BIGINT NOT NULL,
    cached_tokens     BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    reasoning_tokens  BIGINT NOT NULL,
    cost_nanos        BIGINT NOT NULL, -- USD × 10⁹
    status            INTEGER NOT NULL,
    latency_ms        BIGINT NOT NULL,
    estimated         BOOLEAN NOT NULL -- keygate counted the tokens
);
CREATE INDEX usage_project_time ON usage (project, time);
CREATE INDEX usage_key_time ON usage (key_id, time);
