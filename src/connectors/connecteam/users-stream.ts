/**
 * `connecteam.users`: every user, active and archived (`userStatus=all`), paged 500 at a time.
 * Snapshot mode: a user absent from a complete read is marked deleted.
 */
import type { JsonValue, NormalizeResult, RawPage, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { describeIssues, userSchema, usersAnswer } from './schemas.ts';
import { parseAnswer } from './parse-answer.ts';

export const USERS_TABLE: TableSpec = {
  name: 'connecteam_users',
  keyColumn: 'user_id',
  columns: [
    { name: 'user_id', type: 'bigint', nullable: false, description: 'Connecteam userId' },
    { name: 'first_name', type: 'text', nullable: false },
    { name: 'last_name', type: 'text', nullable: false },
    { name: 'email', type: 'text', nullable: true },
    { name: 'phone_number', type: 'text', nullable: true },
    { name: 'user_type', type: 'text', nullable: false },
    { name: 'is_archived', type: 'boolean', nullable: false },
    { name: 'upstream_created_at', type: 'instant', nullable: true },
    { name: 'upstream_modified_at', type: 'instant', nullable: true },
    { name: 'archived_at', type: 'instant', nullable: true },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the user as Connecteam sent it, without the kiosk code' },
  ],
};

const PAGE = 500;

async function* readUsers(client: UpstreamClient, plan: ReadPlan): AsyncIterable<RawPage> {
  const from = plan.from;
  let offset = typeof from === 'object' && from !== null && typeof (from as { offset?: unknown }).offset === 'number' ? (from as { offset: number }).offset : 0;
  for (;;) {
    const answer = parseAnswer(
      usersAnswer,
      await client.getJson('/users/v1/users', { limit: PAGE, offset, userStatus: 'all' }, { signal: plan.signal }),
      'the user list',
    );
    const users = answer.data.users;
    const total = answer.paging?.total;
    const done = Math.ceil((offset + users.length) / PAGE);
    yield {
      records: users,
      position: { offset },
      ...(total !== undefined ? { progress: { done, total: Math.max(done, Math.ceil(total / PAGE)) } } : {}),
    };
    // Connecteam's documented rule: a page shorter than the limit is the last one. When the answer
    // also says how many users there are, a read that ends short of it lost a page to a change
    // made while paging (offsets shift): fail rather than mark the skipped users deleted.
    if (users.length < PAGE) {
      if (total !== undefined && offset + users.length < total) {
        throw new Error(`the user list ended at ${offset + users.length} users but Connecteam reported ${total}: it changed while it was read; run the sync again`);
      }
      return;
    }
    offset += PAGE;
  }
}

const fromUnix = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);

/** The kiosk code is a PIN: it is not stored anywhere, not in `raw`, not in a dead letter. */
function redactUser(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('kioskCode' in raw)) return raw;
  const { kioskCode: _kioskCode, ...kept } = raw as Record<string, unknown>;
  return kept;
}

function normalizeUser(raw: unknown): NormalizeResult {
  const parsed = userSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null ? (raw as { userId?: unknown }).userId : undefined;
    return { ok: false, reason: `invalid Connecteam user: ${describeIssues(parsed.error)}`, ...(typeof id === 'number' ? { key: String(id) } : {}) };
  }
  const user = parsed.data;
  const kept = redactUser(user);
  return {
    ok: true,
    record: {
      key: String(user.userId),
      values: {
        user_id: String(user.userId),
        first_name: user.firstName,
        last_name: user.lastName,
        email: user.email ?? null,
        phone_number: user.phoneNumber ?? null,
        user_type: user.userType,
        is_archived: user.isArchived ?? false,
        upstream_created_at: fromUnix(user.createdAt),
        upstream_modified_at: fromUnix(user.modifiedAt),
        archived_at: fromUnix(user.archivedAt),
        raw: kept as JsonValue,
      },
    },
  };
}

export const usersStream: StreamDefinition<UpstreamClient> = {
  name: 'connecteam.users',
  defaultMode: 'snapshot',
  modes: ['snapshot'],
  table: USERS_TABLE,
  read: readUsers,
  normalize: normalizeUser,
  redact: redactUser,
};
