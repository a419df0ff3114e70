/**
 * The one configuration schema. Everything Tidemark reads at start is checked here once, into
 * the typed `Config`; the rest of the code never sees unvalidated input.
 */
import { z } from 'zod';
import { isTimezone } from '../time/business-day.ts';
import { urlHasSecret } from '../db/redact.ts';
import { SYNC_MODES } from '../engine/stream.ts';

export const CONNECTOR_TYPES = ['connecteam', 'yclients', 'cliniko'] as const;

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'an id of lowercase letters, digits, "-" and "_", starting with a letter or digit');

const timezone = z
  .string()
  .refine((zone) => isTimezone(zone), 'an IANA timezone such as "America/Chicago"');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:mm such as "08:00"');

/** A secret is never written in the file: it names the environment variable holding it. */
const secretRef = z
  .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as ACME_CONNECTEAM_API_KEY') })
  .strict();

const businessHours = z
  .object({
    start: clock.default('00:00'),
    end: clock.default('23:59'),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).nonempty().default([1, 2, 3, 4, 5, 6, 7]),
  })
  .strict();

/** Where a tenant's alerts go (docs/monitoring.md); every channel optional, secrets from the environment. */
const alerts = z
  .object({
    /** JSON POSTs signed with HMAC-SHA256 of the body in `X-Tidemark-Signature: sha256=<hex>`. */
    webhooks: z.array(z.object({ url: z.union([z.url({ protocol: /^https?$/ }), secretRef]), secret: secretRef.optional() }).strict()).default([]),
    slack: z.object({ webhookUrl: secretRef }).strict().optional(),
    telegram: z.object({ botToken: secretRef, chatId: z.string().min(1), apiUrl: z.url({ protocol: /^https?$/ }).optional() }).strict().optional(),
    sentry: z.object({ dsn: secretRef }).strict().optional(),
    /** A run taking longer than this raises a `slow_run` alert. */
    slowRunMinutes: z.number().positive().max(24 * 60).default(5),
  })
  .strict();

const tenant = z
  .object({
    id,
    name: z.string().min(1),
    timezone,
    businessHours: businessHours.default({ start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] }),
    alerts: alerts.optional(),
  })
  .strict();

const connection = z
  .object({
    id,
    tenant: id,
    connector: z.enum(CONNECTOR_TYPES),
    /** Override the upstream's base URL (a simulator, or Connecteam's AU host). */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    credentials: z.record(z.string(), secretRef),
    /** Client-side request budget; defaults come from the connector's documented limits. */
    rateLimit: z
      .object({
        perSecond: z.number().positive().optional(),
        perMinute: z.number().positive().optional(),
        perDay: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    maxAttempts: z.number().int().min(1).max(20).default(5),
    timeoutMs: z.number().int().min(100).default(30_000),
    /** Connector-specific options, checked against the connector's own schema (docs/connectors/). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** A destination URL with a password in it is a credential: it must come from the environment. */
const destinationUrl = z
  .string()
  .refine((url) => !urlHasSecret(url), {
    message: 'a URL without a password; put a URL with a password in an environment variable and use { "env": "NAME" }',
  });

const destination = z
  .object({
    id,
    url: z.union([destinationUrl, secretRef]),
    /** Schema for the tables of this destination (Postgres); default the connection's search path. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
  })
  .strict();

const windowDefault = z
  .object({
    /** Business days before today to re-read. */
    pastDays: z.number().int().min(0).max(3660).default(0),
    /** Business days after today to re-read. */
    futureDays: z.number().int().min(0).max(3660).default(0),
  })
  .strict();

const deleteGuard = z
  .object({
    /** A read that would delete more than this fraction of the window's rows deletes nothing. */
    maxFraction: z.number().min(0).max(1).default(0.5),
    /** …unless it is at most this many rows (small windows churn legitimately). */
    minRows: z.number().int().min(0).default(10),
  })
  .strict();

const sqlName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL identifier');
const mappedScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** How one column of a user's own table is filled (docs/destinations.md, "Your own tables"). */
const mappedColumn = z.union([
  sqlName.describe('a column of the sync\'s table, e.g. "start_at"'),
  z.object({ value: mappedScalar }).strict(),
  z
    .object({
      lookup: z
        .object({
          /** The sync table's column whose value is looked up (e.g. user_id). */
          from: sqlName,
          table: sqlName,
          schema: sqlName.optional(),
          /** The lookup table's column holding the upstream id (e.g. connecteam_user_id). */
          match: sqlName,
          /** The lookup table's column written into the mapped column (e.g. id). */
          value: sqlName,
          /** No match: skip the row and warn (true), or write NULL (false). */
          required: z.boolean().default(true),
        })
        .strict(),
    })
    .strict(),
]);

const mapping = z
  .object({
    /** The user's existing table, kept level with the sync's own table after each run. */
    table: sqlName,
    schema: sqlName.optional(),
    /** The user's column holding the upstream identity; it needs a unique key. */
    key: sqlName,
    /** The user's column holding the tenant, when the table holds several tenants. */
    tenantColumn: sqlName.optional(),
    columns: z.record(sqlName, mappedColumn),
    /** Deleted upstream: remove the row ("delete"), or set a flag column (e.g. is_active = false). */
    deleted: z
      .union([z.literal('delete'), z.object({ column: sqlName, live: mappedScalar, deleted: mappedScalar }).strict()])
      .default('delete'),
  })
  .strict();

/**
 * One schedule of a sync: a cron expression evaluated in the tenant's timezone (DST included),
 * with the window each run re-reads (docs/operations.md, "Schedules").
 */
const schedule = z
  .object({
    /** Unique within the sync; default the window's name, else "default". */
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a schedule name such as "hourly"').optional(),
    /** Five fields (minute hour day month weekday), e.g. "0 5 * * *" or "0 8-23 * * *", in the tenant's zone. */
    cron: z.string().min(9),
    /** A named window of the sync (or its stream), e.g. "today" or "full"; default the sync's `window`. */
    window: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a window name such as "today"').optional(),
    /** Occurrences missed while nothing ran (all workers down): "skip" them, or run "once" for the latest. */
    missed: z.enum(['skip', 'once']).default('skip'),
  })
  .strict();

const sync = z
  .object({
    id,
    tenant: id,
    connection: id,
    stream: z.string().regex(/^[a-z]+\.[a-z_]+$/, 'a stream such as "connecteam.shifts"'),
    destination: id,
    /** Destination table; default the stream's own (e.g. connecteam_shifts). */
    table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL identifier').optional(),
    mode: z.enum(SYNC_MODES).optional(),
    window: windowDefault.default({ pastDays: 0, futureDays: 0 }),
    /** Named windows (e.g. YClients "full": 30 days ahead, "today": today and tomorrow), run with `--window NAME`. */
    windows: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a window name such as "today"'), windowDefault).default({}),
    /** `incremental` mode: how far behind the previous run's start the next run reads again. Default: the stream's. */
    lookbackMinutes: z.number().int().min(0).max(60 * 24 * 30).optional(),
    /** Streams with retention (YClients schedules): rows older than this many days are removed. Default: the stream's. */
    retentionDays: z.number().int().min(0).max(3660).optional(),
    batchSize: z.number().int().min(1).max(50_000).default(1000),
    /** Also keep a user's own table level with the sync's table, through a column mapping. */
    mapping: mapping.optional(),
    deleteGuard: deleteGuard.default({ maxFraction: 0.5, minRows: 10 }),
    /** When the sync runs on its own (`tidemark start` / `tidemark worker`); none: only by trigger. */
    schedules: z.array(schedule).default([]),
    /**
     * When its data counts as stale: no successful run for this long, judged only inside the
     * tenant's business hours. Default: twice the longest gap between its scheduled runs.
     */
    freshness: z
      .object({
        staleAfterMinutes: z.number().int().min(1).max(60 * 24 * 90).optional(),
        businessHoursOnly: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict();

const controlPlane = z
  .object({
    /** postgres://… or pglite:PATH. `DATABASE_URL` overrides it. */
    url: z.union([destinationUrl, secretRef]).default('pglite:.tidemark/control'),
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('tidemark'),
  })
  .strict();

const ledger = z
  .object({
    /** Changes (before/after of each row) older than this are pruned at the end of each run. */
    changesRetentionDays: z.number().int().min(0).default(30),
    /** Finished runs (and their changes) older than this are pruned; dead letters are kept. */
    runsRetentionDays: z.number().int().min(1).default(90),
  })
  .strict();

/** The job engine (pg-boss on the control plane): retries, heartbeats, worker concurrency. */
const jobs = z
  .object({
    /** Tries per run, the first included; a run failing them all goes to the dead-letter queue. */
    attempts: z.number().int().min(1).max(20).default(3),
    /** First retry delay; doubles per attempt, with jitter, up to retryDelayMaxSeconds. */
    retryDelaySeconds: z.number().int().min(1).max(86_400).default(30),
    retryDelayMaxSeconds: z.number().int().min(1).max(86_400).default(900),
    /** A worker proves it is alive this often; a job silent for this long is failed and retried elsewhere. */
    heartbeatSeconds: z.number().int().min(10).max(3600).default(30),
    /** The longest one run may take before it is failed and retried. */
    maxRunMinutes: z.number().int().min(1).max(24 * 60).default(60),
    /** Runs one `tidemark worker` process executes at once. */
    concurrency: z.number().int().min(1).max(256).default(4),
    /** How often an idle worker looks for work (it is also woken at once by LISTEN/NOTIFY on Postgres). */
    pollingIntervalSeconds: z.number().min(0.5).max(60).default(2),
    /** How often schedules are evaluated and lost jobs are detected (seconds). */
    cronIntervalSeconds: z.number().int().min(1).max(45).default(30),
    monitorIntervalSeconds: z.number().int().min(1).max(600).default(30),
    /** Finished jobs kept in the job tables (the ledger keeps runs longer). */
    keepJobsDays: z.number().int().min(1).max(90).default(7),
  })
  .strict();

export const JOBS_DEFAULTS = {
  attempts: 3,
  retryDelaySeconds: 30,
  retryDelayMaxSeconds: 900,
  heartbeatSeconds: 30,
  maxRunMinutes: 60,
  concurrency: 4,
  pollingIntervalSeconds: 2,
  cronIntervalSeconds: 30,
  monitorIntervalSeconds: 30,
  keepJobsDays: 7,
} as const;

/** The HTTP API and dashboard (`tidemark serve`, and inside `tidemark start`). */
const api = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(4300),
    /** Request bodies larger than this are refused (413). */
    bodyLimitBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  })
  .strict();

/**
 * An offline-site replica served by `tidemark serve`/`start` (docs/replica.md): its tables and
 * mutators live in `module` (a .ts/.js file exporting `defineReplica({...})`, relative to the
 * config file); the site's business timezone is the tenant's unless set here.
 */
const replica = z
  .object({
    id,
    tenant: id,
    timezone: timezone.optional(),
    module: z.string().min(1),
    pushMaxMutations: z.number().int().min(1).max(1000).default(500),
    pullPageSize: z.number().int().min(1).max(1000).default(500),
    /** Largest push or pull request body accepted. */
    bodyLimitBytes: z.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Deleted rows are remembered this long; a site offline longer re-downloads everything. */
    tombstoneRetentionDays: z.number().int().min(1).max(3650).default(30),
    mutationsRetentionDays: z.number().int().min(1).max(3650).default(90),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    controlPlane: controlPlane.default({ url: 'pglite:.tidemark/control', schema: 'tidemark' }),
    ledger: ledger.default({ changesRetentionDays: 30, runsRetentionDays: 90 }),
    jobs: jobs.default(JOBS_DEFAULTS),
    api: api.default({ host: '127.0.0.1', port: 4300, bodyLimitBytes: 64 * 1024 }),
    tenants: z.array(tenant).min(1),
    connections: z.array(connection).default([]),
    destinations: z.array(destination).min(1),
    syncs: z.array(sync).default([]),
    replicas: z.array(replica).default([]),
  })
  .strict();

/** The configuration as written (before cross-references are checked). */
export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type TenantConfig = Config['tenants'][number];
export type ConnectionConfig = Config['connections'][number];
export type DestinationConfig = Config['destinations'][number];
export type SyncConfig = Config['syncs'][number];
export type SecretRef = z.output<typeof secretRef>;
export type ScheduleConfig = SyncConfig['schedules'][number];
export type JobsConfig = Config['jobs'];
export type AlertsConfig = NonNullable<TenantConfig['alerts']>;
export type ApiConfig = Config['api'];
export type ReplicaConfig = Config['replicas'][number];
