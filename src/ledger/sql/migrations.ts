/**
 * Ledger migrations, applied in order and recorded in `<schema>.migrations`. `{{schema}}` is
 * replaced by the validated control-plane schema name; nothing else is ever interpolated.
 */
export const LEDGER_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'runs, checkpoints, seen keys, dead letters, changes',
    sql: `
CREATE TABLE {{schema}}.runs (
  id             bigserial PRIMARY KEY,
  sync_id        text NOT NULL,
  tenant_id      text NOT NULL,
  stream         text NOT NULL,
  mode           text NOT NULL CHECK (mode IN ('window', 'incremental', 'snapshot')),
  window_from    date,
  window_to      date,
  status         text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  trigger        text NOT NULL DEFAULT 'manual',
  owner          text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  heartbeat_at   timestamptz,
  finished_at    timestamptz,
  fetched        integer NOT NULL DEFAULT 0,
  created        integer NOT NULL DEFAULT 0,
  updated        integer NOT NULL DEFAULT 0,
  unchanged      integer NOT NULL DEFAULT 0,
  deleted        integer NOT NULL DEFAULT 0,
  dead           integer NOT NULL DEFAULT 0,
  progress       jsonb NOT NULL DEFAULT '{}'::jsonb,
  checkpoint     jsonb,
  resumed_count  integer NOT NULL DEFAULT 0,
  warnings       jsonb NOT NULL DEFAULT '[]'::jsonb,
  upstream       jsonb NOT NULL DEFAULT '{}'::jsonb,
  error          text,
  CONSTRAINT runs_conservation CHECK (status <> 'succeeded' OR fetched = created + updated + unchanged + dead)
);
-- Invariant 7's backstop: at most one queued-or-running run per sync, whatever the engine does.
CREATE UNIQUE INDEX runs_one_active_per_sync ON {{schema}}.runs (sync_id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_sync ON {{schema}}.runs (sync_id, id DESC);
CREATE INDEX runs_by_tenant ON {{schema}}.runs (tenant_id, id DESC);

-- Keys committed by a run so far, one row per batch: a resumed run skips them, and deletion
-- detection needs all of them. An array per batch, not a row per key: 100,000 keys are 100 rows.
CREATE TABLE {{schema}}.run_seen_keys (
  id      bigserial PRIMARY KEY,
  run_id  bigint NOT NULL REFERENCES {{schema}}.runs (id) ON DELETE CASCADE,
  keys    text[] NOT NULL
);
CREATE INDEX run_seen_keys_by_run ON {{schema}}.run_seen_keys (run_id);

CREATE TABLE {{schema}}.dead_letters (
  id           bigserial PRIMARY KEY,
  run_id       bigint REFERENCES {{schema}}.runs (id) ON DELETE SET NULL,
  sync_id      text NOT NULL,
  tenant_id    text NOT NULL,
  stream       text NOT NULL,
  record_key   text,
  reason       text NOT NULL,
  payload      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  replayed_at  timestamptz
);
CREATE INDEX dead_letters_by_sync ON {{schema}}.dead_letters (sync_id, id DESC);

CREATE TABLE {{schema}}.changes (
  id          bigserial PRIMARY KEY,
  run_id      bigint NOT NULL REFERENCES {{schema}}.runs (id) ON DELETE CASCADE,
  sync_id     text NOT NULL,
  tenant_id   text NOT NULL,
  table_name  text NOT NULL,
  record_key  text NOT NULL,
  op          text NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
  before      jsonb,
  after       jsonb,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_by_run ON {{schema}}.changes (run_id, id);
CREATE INDEX changes_by_at ON {{schema}}.changes (at);
`,
  },
  {
    version: 2,
    name: 'incremental cursor and retention per run',
    sql: `
-- The lower bound on upstream updated_at an incremental run read from (the previous successful
-- run's start minus the lookback), kept so a resumed run reads with the same filter and so the
-- audit shows what a run could have missed.
ALTER TABLE {{schema}}.runs ADD COLUMN since timestamptz;
-- Rows removed by the stream's retention (old YClients schedules): not deletions seen upstream.
ALTER TABLE {{schema}}.runs ADD COLUMN purged integer NOT NULL DEFAULT 0;
CREATE INDEX runs_by_sync_started ON {{schema}}.runs (sync_id, started_at DESC) WHERE status = 'succeeded';
`,
  },
  {
    version: 3,
    name: 'resumable runs, interrupted status, job ids, events',
    sql: `
-- A run ends "interrupted" when its process was asked to stop (SIGTERM/SIGINT): what it merged is
-- checkpointed and the next run of the sync resumes from there.
ALTER TABLE {{schema}}.runs DROP CONSTRAINT runs_status_check;
ALTER TABLE {{schema}}.runs ADD CONSTRAINT runs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted'));
-- A failed or interrupted run whose checkpoint and seen keys the next run of the same plan takes
-- over (a worker lost mid-run, a transient failure, a stop). Cleared when taken or superseded.
ALTER TABLE {{schema}}.runs ADD COLUMN resumable boolean NOT NULL DEFAULT false;
-- The run this one continued from, and when the chain's read began (the incremental cursor).
ALTER TABLE {{schema}}.runs ADD COLUMN resumed_from bigint;
ALTER TABLE {{schema}}.runs ADD COLUMN read_started_at timestamptz;
-- The job (pg-boss) and attempt that ran it, when a worker did.
ALTER TABLE {{schema}}.runs ADD COLUMN job_id text;
ALTER TABLE {{schema}}.runs ADD COLUMN attempt integer;

-- Things an operator must hear about (a job dead-lettered after its last attempt, a lost worker).
-- Written by the engine; delivered by the alerting room.
CREATE TABLE {{schema}}.events (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  kind       text NOT NULL,
  tenant_id  text,
  sync_id    text,
  run_id     bigint,
  message    text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_by_at ON {{schema}}.events (at DESC);
CREATE INDEX events_by_sync ON {{schema}}.events (sync_id, id DESC);
`,
  },
  {
    version: 4,
    name: 'API tokens, alert state',
    sql: `
-- Bearer tokens for the HTTP API and dashboard: only a SHA-256 of the token is stored. A token
-- sees the tenants it lists (or every tenant with '*') and may read, or read and operate.
CREATE TABLE {{schema}}.api_tokens (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  tenants       text[] NOT NULL,
  scope         text NOT NULL CHECK (scope IN ('read', 'operate')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Which alert conditions are open, so each is sent once when it opens and once when it clears.
CREATE TABLE {{schema}}.alert_state (
  sync_id     text NOT NULL,
  kind        text NOT NULL,
  opened_at   timestamptz NOT NULL DEFAULT now(),
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (sync_id, kind)
);
-- Events already delivered to the tenant's channels (the alerts room marks them).
ALTER TABLE {{schema}}.events ADD COLUMN delivered_at timestamptz;
CREATE INDEX events_undelivered ON {{schema}}.events (id) WHERE delivered_at IS NULL;
`,
  },
  {
    version: 5,
    name: 'index for ledger retention',
    sql: `
-- Retention deletes finished runs by age; without this index the DELETE scanned every run (0.5 s
-- against a week of 10,000 hourly syncs, bench/jobs-schedule.ts).
CREATE INDEX runs_by_finished ON {{schema}}.runs (finished_at) WHERE status IN ('succeeded', 'failed', 'interrupted');
`,
  },
  {
    version: 6,
    name: 'offline-site replicas: clients, mutations, versioned rows',
    sql: `
-- One row per replica: its version counter. Every push transaction locks it to take the next
-- version, so versions are handed out in commit order; pruned_through is the tombstone horizon.
CREATE TABLE {{schema}}.replica_spaces (
  replica_id     text PRIMARY KEY,
  version        bigint NOT NULL DEFAULT 0,
  pruned_through bigint NOT NULL DEFAULT 0
);
-- A site (client) of a replica: its credential (sha256) and the last mutation id it has had applied.
CREATE TABLE {{schema}}.replica_clients (
  replica_id       text NOT NULL,
  client_id        text NOT NULL,
  token_hash       text NOT NULL UNIQUE,
  last_mutation_id bigint NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz,
  revoked_at       timestamptz,
  PRIMARY KEY (replica_id, client_id)
);
-- Every mutation received: proof of replay, and the audit of what each site did.
CREATE TABLE {{schema}}.replica_mutations (
  replica_id           text NOT NULL,
  client_id            text NOT NULL,
  mutation_id          bigint NOT NULL,
  name                 text NOT NULL,
  args                 jsonb NOT NULL,
  args_hash            text NOT NULL,
  status               text NOT NULL CHECK (status IN ('applied', 'rejected')),
  error                text,
  version              bigint NOT NULL,
  client_created_at    timestamptz NOT NULL,
  client_business_date date NOT NULL,
  server_business_date date NOT NULL,
  received_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (replica_id, client_id, mutation_id)
);
-- The server's copy of every replicated row, stamped with the version that last changed it.
-- A deleted row stays as a tombstone (deleted_at) until pruned, so pulls can tell sites.
CREATE TABLE {{schema}}.replica_rows (
  replica_id text NOT NULL,
  table_name text COLLATE "C" NOT NULL,
  row_key    text COLLATE "C" NOT NULL,
  row        jsonb NOT NULL,
  version    bigint NOT NULL,
  deleted_at timestamptz,
  changed_by text NOT NULL,
  PRIMARY KEY (replica_id, table_name, row_key)
);
CREATE INDEX replica_rows_by_version ON {{schema}}.replica_rows (replica_id, version, table_name, row_key);
`,
  },
];
