/**
 * Deterministic randomness: the same seed and key give the same numbers and ids on every machine,
 * which is what makes two simulators with one seed answer byte-identically. Cheap on purpose
 * (a string hash and a 32-bit generator), since a benchmark data set has 100,000 shifts.
 */

/** 32-bit hash of `text`: FNV-1a, then murmur3's finalizer so similar keys spread over all bits. */
export function hash32(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * A 24-hex-character id shaped like a MongoDB ObjectId, as Connecteam's are: the first 8 hex
 * digits are `createdAtSeconds` (so ids sort roughly by creation, like real ones), the other 16
 * come from `key`. Two different keys colliding would need a 64-bit hash collision.
 */
export function objectId(createdAtSeconds: number, key: string): string {
  return hex8(createdAtSeconds) + hex8(hash32(key)) + hex8(hash32(key, 0x9e3779b9));
}

/** A generator of numbers in [0, 1) (mulberry32), seeded from a string key. */
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

/** A whole number in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick() needs a non-empty list');
  return item;
}
