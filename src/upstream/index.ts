/** The shared upstream HTTP client: what connectors import. */
export { UpstreamClient } from './http-client.ts';
export type { RequestOptions, UpstreamClientOptions, UpstreamStats } from './http-client.ts';
export { UPSTREAM_ERROR_KINDS, UpstreamError, isUpstreamError } from './upstream-error.ts';
export type { UpstreamErrorInit, UpstreamErrorKind } from './upstream-error.ts';
export { linkPages, nextLinkOf, offsetPages, pageNumberPages } from './pagination.ts';
export type { PageNumberOptions, PagingOptions } from './pagination.ts';
export type { Query, QueryValue } from './request-url.ts';
export type { Pacing, RateLimits } from './rate-limiter.ts';
export { PACING_MARGIN } from './rate-limiter.ts';
export { isAbortError } from './abort.ts';
