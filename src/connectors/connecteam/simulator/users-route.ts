/**
 * `GET /users/v1/users`: limit/offset pages (limit 1–500, default 10) sorted by userId; the client
 * stops at the first short page. `paging.offset` is where the next page starts. Filters:
 * `userStatus` active (default) | archived | all, `userIds[]`, and the "after this date" filters
 * `createdAt`, `modifiedAt`, `lastLogin`, `archivedAt` in Unix seconds (strictly after).
 */
import { envelope, intListParam, intParam, QueryError, type Answer } from './answers.ts';
import type { ConnecteamStore } from './store.ts';
import type { ConnecteamUser } from './types.ts';

const USER_STATUSES = ['active', 'archived', 'all'] as const;
const AFTER_FILTERS = ['createdAt', 'modifiedAt', 'lastLogin', 'archivedAt'] as const;

function isUserStatus(value: string): value is (typeof USER_STATUSES)[number] {
  return (USER_STATUSES as readonly string[]).includes(value);
}

export function listUsers(store: ConnecteamStore, query: URLSearchParams, requestId: string): Answer {
  const limit = intParam(query, 'limit', { min: 1, max: 500 }, 10) ?? 10;
  const offset = intParam(query, 'offset', { min: 0 }, 0) ?? 0;
  const status = query.get('userStatus') ?? 'active';
  if (!isUserStatus(status)) throw new QueryError('userStatus', `userStatus must be one of ${USER_STATUSES.join(', ')} (got "${status}")`);
  const userIds = intListParam(query, 'userIds');
  const after = AFTER_FILTERS.flatMap((field) => {
    const value = intParam(query, field, { min: 0 });
    return value === undefined ? [] : [{ field, value }];
  });

  const matches = (user: ConnecteamUser): boolean =>
    (status === 'all' || user.isArchived === (status === 'archived')) &&
    (userIds === undefined || userIds.has(user.userId)) &&
    after.every(({ field, value }) => (user[field] ?? -1) > value);
  const users = store.sortedUsers().filter(matches).slice(offset, offset + limit);
  return envelope(requestId, { users }, { offset: offset + users.length });
}
