/**
 * The three ways our upstreams page a list, as async generators of pages:
 * - offset/limit until a short page (Connecteam: "continue until fewer items than the limit");
 * - page number/size until a short page (YClients `page`/`count`, Cliniko `page`/`per_page`);
 * - following `links.next` until it is absent (Cliniko recommends this over building URLs).
 * Each stops on its own if the upstream never ends (ignores the offset, loops its links),
 * rather than reading forever.
 */

export interface PagingOptions {
  /** Give up after this many pages. Default 100 000. */
  readonly maxPages?: number;
}

export interface PageNumberOptions extends PagingOptions {
  /** Number of the first page. Default 1. */
  readonly firstPage?: number;
}

const DEFAULT_MAX_PAGES = 100_000;

function checkPageSize(size: number, name: string): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`${name} must be a whole number of at least 1, got ${String(size)}`);
  }
}

function tooManyPages(maxPages: number, what: string): Error {
  return new Error(
    `stopped after ${maxPages} pages: the upstream keeps returning ${what}; it may be ignoring the paging parameters`,
  );
}

/** Pages from `fetchPage(offset, limit)`, offset advancing by each page's size, until a short page. */
export async function* offsetPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<readonly T[]>,
  limit: number,
  options: PagingOptions = {},
): AsyncGenerator<readonly T[], void, undefined> {
  checkPageSize(limit, 'limit');
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  let offset = 0;
  for (let pages = 0; pages < maxPages; pages += 1) {
    const items = await fetchPage(offset, limit);
    if (items.length > 0) yield items;
    if (items.length < limit) return;
    offset += items.length;
  }
  throw tooManyPages(maxPages, 'full pages');
}

/** Pages from `fetchPage(page, perPage)`, page numbers counting up, until a short page. */
export async function* pageNumberPages<T>(
  fetchPage: (page: number, perPage: number) => Promise<readonly T[]>,
  perPage: number,
  options: PageNumberOptions = {},
): AsyncGenerator<readonly T[], void, undefined> {
  checkPageSize(perPage, 'perPage');
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const first = options.firstPage ?? 1;
  for (let page = first; page < first + maxPages; page += 1) {
    const items = await fetchPage(page, perPage);
    if (items.length > 0) yield items;
    if (items.length < perPage) return;
  }
  throw tooManyPages(maxPages, 'full pages');
}

/**
 * Whole pages: `first()`, then `fetchUrl(nextOf(page))` while `nextOf` gives a URL.
 * A link seen before ends the read with an error instead of looping.
 */
export async function* linkPages<P>(
  first: () => Promise<P>,
  nextOf: (page: P) => string | null | undefined,
  fetchUrl: (url: string) => Promise<P>,
  options: PagingOptions = {},
): AsyncGenerator<P, void, undefined> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const seen = new Set<string>();
  let page = await first();
  for (let pages = 1; ; pages += 1) {
    yield page;
    const next = nextOf(page);
    if (!next) return;
    if (seen.has(next)) throw new Error(`the upstream's next link points back to a page already read (${next})`);
    if (pages >= maxPages) throw tooManyPages(maxPages, 'next links');
    seen.add(next);
    page = await fetchUrl(next);
  }
}

/** `body.links.next` when it is a non-empty string (Cliniko's list envelope). */
export function nextLinkOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('links' in body)) return undefined;
  const links: unknown = body.links;
  if (typeof links !== 'object' || links === null || !('next' in links)) return undefined;
  const next: unknown = links.next;
  return typeof next === 'string' && next !== '' ? next : undefined;
}
