/**
 * Reads the passes of a Cliniko list (list-passes.ts) page by page, following `links.next` as
 * Cliniko recommends instead of building page URLs. Pages are fetched up to PREFETCH_PAGES ahead
 * of the engine (prefetch.ts), so a paced client keeps its steady rate while a batch merges.
 *
 * Position: the pass and the URL of the page (relative to the connection's base URL), so a
 * resumed run asks for exactly that page again. A record already read in an earlier pass of the
 * same read (updated, then also archived since) is not handed out twice.
 */
import { z } from 'zod';
import type { JsonValue, RawPage, ReadPlan, ReadPosition } from '../../engine/stream.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { nextLinkOf } from '../../upstream/index.ts';
import type { ListPass } from './list-passes.ts';
import { prefetch } from './prefetch.ts';
import { describeIssues, rawIdOf } from './values.ts';

/** Cliniko's largest page. */
export const PER_PAGE = 100;
/** Pages read ahead of the engine: one default batch (1,000 rows) and a page. */
export const PREFETCH_PAGES = 11;
// A list that keeps handing out next links past this many pages is looping, not long.
const MAX_PAGES_PER_PASS = 1_000_000;

interface ListPosition {
  readonly pass: string;
  readonly url: string;
}

function isListPosition(value: unknown): value is ListPosition {
  return typeof value === 'object' && value !== null && typeof (value as ListPosition).pass === 'string' && typeof (value as ListPosition).url === 'string';
}

export class UnexpectedAnswerError extends Error {
  override readonly name = 'UnexpectedAnswerError';
}

function firstPageUrl(pass: ListPass): string {
  const query = new URLSearchParams({ per_page: String(PER_PAGE) });
  for (const filter of pass.filters) query.append('q[]', filter);
  return `${pass.source.path}?${query.toString()}`;
}

/** A link under the base URL as a path relative to it (kept in positions); any other link as it is. */
function relativeToBase(link: string, baseUrl: string): string {
  const base = `${baseUrl.replace(/\/+$/, '')}/`;
  return link.startsWith(base) ? link.slice(base.length) : link;
}

function fetchPage(client: UpstreamClient, url: string, signal: AbortSignal | undefined): Promise<unknown> {
  // A link off the base URL goes through getJsonUrl, which refuses another origin (credentials stay home).
  return /^https?:\/\//i.test(url) ? client.getJsonUrl(url, { signal }) : client.getJson(url, undefined, { signal });
}

function envelopeSchema(collection: string) {
  return z.looseObject({
    [collection]: z.array(z.unknown()),
    total_entries: z.union([z.number(), z.string()]).optional(),
  });
}

function withTag(record: unknown, tag: Readonly<Record<string, JsonValue>> | undefined): unknown {
  if (!tag || typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const added = Object.fromEntries(Object.entries(tag).filter(([name]) => !(name in record)));
  return Object.keys(added).length === 0 ? record : { ...record, ...added };
}

/** Where to start: the saved pass and page, or the first pass when the saved one is not in this read. */
function startOf(passes: readonly ListPass[], from: ReadPosition | undefined): { index: number; url: string | undefined } {
  if (!isListPosition(from)) return { index: 0, url: undefined };
  const index = passes.findIndex((pass) => pass.name === from.pass);
  // Reading from the start again is always safe: merging is idempotent.
  return index < 0 ? { index: 0, url: undefined } : { index, url: from.url };
}

function pageNumberOf(url: string): number {
  const page = Number(new URL(url, 'http://page.invalid/').searchParams.get('page') ?? '1');
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

export function readListPasses(client: UpstreamClient, passes: readonly ListPass[], plan: ReadPlan): AsyncIterable<RawPage> {
  return prefetch((signal) => readPages(client, passes, plan, signal), PREFETCH_PAGES, plan.signal);
}

async function* readPages(client: UpstreamClient, passes: readonly ListPass[], plan: ReadPlan, signal: AbortSignal): AsyncIterable<RawPage> {
  const start = startOf(passes, plan.from);
  const handedOut = new Set<string>();
  /** Pages of the passes finished in this read, for progress. */
  let pagesBefore = 0;
  for (let index = start.index; index < passes.length; index++) {
    const pass = passes[index]!;
    const schema = envelopeSchema(pass.source.collection);
    const laterPass = index > start.index;
    const seenLinks = new Set<string>();
    let url: string | undefined = index === start.index && start.url !== undefined ? start.url : firstPageUrl(pass);
    let page = 0;
    while (url !== undefined) {
      const body = await fetchPage(client, url, signal);
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        throw new UnexpectedAnswerError(`Cliniko answered GET ${url} in an unexpected shape: ${describeIssues(parsed.error)}`);
      }
      const pageUrl = url;
      page = pageNumberOf(pageUrl);
      const records = parsed.data[pass.source.collection] as unknown[];
      const next = nextLinkOf(body);
      url = next === undefined ? undefined : relativeToBase(next, client.baseUrl);
      if (url !== undefined) {
        if (seenLinks.has(url) || seenLinks.size >= MAX_PAGES_PER_PASS) {
          throw new UnexpectedAnswerError(`Cliniko's next link loops back to a page already read (${url}); the list cannot be read to its end`);
        }
        seenLinks.add(url);
      }
      const kept: unknown[] = [];
      for (const record of records) {
        const id = rawIdOf(record);
        if (id !== undefined && laterPass && handedOut.has(id)) continue;
        if (id !== undefined) handedOut.add(id);
        kept.push(withTag(record, pass.source.tag));
      }
      const totalEntries = Number(parsed.data.total_entries ?? records.length);
      const passPages = Math.max(page, Math.ceil(totalEntries / PER_PAGE));
      yield {
        records: kept,
        position: { pass: pass.name, url: pageUrl },
        // Each pass still to come is at least one request.
        progress: { done: pagesBefore + page, total: pagesBefore + passPages + (passes.length - index - 1) },
      };
    }
    pagesBefore += page;
  }
}
