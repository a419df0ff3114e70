/**
 * `Authorization: Bearer <partner_token>` or `Bearer <partner_token>, User <user_token>`
 * (upstream-apis.md §2.2, exact format: comma, space, "User "). Company and admin paths need the
 * user part; public `book_*` paths need only the partner. HTTP statuses for refusals are
 * undocumented: the simulator answers 401 for a missing or wrong token.
 */
const AUTHORIZATION = /^Bearer (\S+?)(?:, User (\S+))?$/;

export interface Tokens {
  readonly partnerToken: string;
  readonly userToken: string;
}

/** Null when the request may go on, else the reason for the 401. */
export function authProblem(header: string | undefined, tokens: Tokens, needsUser: boolean): string | null {
  const match = header === undefined ? null : AUTHORIZATION.exec(header.trim());
  if (match === null) return 'Authorization is missing or malformed; send "Bearer <partner_token>, User <user_token>"';
  if (match[1] !== tokens.partnerToken) return 'Partner token is invalid';
  const user = match[2];
  if (user === undefined) return needsUser ? 'This request needs a user token: "Bearer <partner_token>, User <user_token>"' : null;
  return user === tokens.userToken ? null : 'User token is invalid or has no access to this company';
}
