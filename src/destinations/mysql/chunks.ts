/**
 * Statement-sized pieces of a batch. A prepared statement takes at most 65,535 placeholders, and a
 * statement's packet must fit the server's max_allowed_packet: a batch beyond either is sent as
 * several statements in the same transaction (still a number of round trips fixed by B, not N).
 */
export const MAX_PLACEHOLDERS = 65_535;

/** Packets past 16 MiB are split by the protocol; stay under one so no driver path is exercised rarely. */
const PACKET_CEILING = 12 * 1024 * 1024;

/** Bytes of parameters one statement may carry on a connection with `maxPacketBytes`. */
export function packetBudget(maxPacketBytes: number): number {
  return Math.min(Math.floor(maxPacketBytes * 0.75), PACKET_CEILING);
}

/** Split `items` into runs of at most `maxItems` items and (past the first item) `maxBytes` bytes. */
export function chunksOf<T>(items: readonly T[], maxItems: number, maxBytes: number, bytesOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
