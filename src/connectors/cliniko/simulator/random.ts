/**
 * Deterministic randomness for the seeded data set: same seed, same records and ids on every
 * machine. Ids are int64 like Cliniko's (e.g. "514810972972521916"): well past 2^53, so a client
 * that parses them as JSON numbers gets them wrong and a test notices.
 */

/** 32-bit FNV-1a of `text` with murmur3's finalizer. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Numbers in [0, 1) (mulberry32), seeded from a string key. */
export type Random = () => number;

export function seededRandom(key: string): Random {
  let state = hash32(key);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick() needs a non-empty list');
  return item;
}

// Every generated id is above 2^53 (9,007,199,254,740,992) and below int64's maximum.
const ID_FLOOR = 500_000_000_000_000_000n;

/**
 * Ids rising from a seeded start in seeded steps, as Cliniko's grow over time. `kind` keeps the
 * ranges of patients, appointments, … apart, so no two records of a data set share an id.
 */
export function idSequence(seed: number, kind: number): () => string {
  const random = seededRandom(`ids|${seed}|${kind}`);
  let next = ID_FLOOR + BigInt(kind) * 10_000_000_000_000_000n + BigInt(seed % 1_000_000) * 1_000_000_000_000n + BigInt(randomInt(random, 1, 999_999));
  return () => {
    next += BigInt(randomInt(random, 1, 4_096));
    return next.toString();
  };
}
