// Seeded random streams for the link model. Each (seed, link, direction, purpose) gets its own
// xoroshiro128+ generator, so changing e.g. jitter does not shift which packets the loss stream
// drops, and two runs with the same seed and packet sequence make the same decisions.
import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';

export type RandomPurpose = 'loss' | 'burst' | 'jitter' | 'reorder' | 'duplicate';

const TWO_POW_32 = 4_294_967_296;

/** FNV-1a over the key's UTF-16 units, then murmur3's finaliser to spread nearby keys apart. */
export function hashSeed(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class RandomStream {
  readonly #generator: RandomGenerator;
  #spareGaussian: number | null = null;

  constructor(seed: number) {
    this.#generator = xoroshiro128plus(seed);
    // xoroshiro's first outputs echo a small seed; a jump decorrelates streams with close seeds.
    this.#generator.unsafeJump?.();
  }

  /** Uniform in [0, 1). */
  next01(): number {
    return (this.#generator.unsafeNext() >>> 0) / TWO_POW_32;
  }

  /** True with probability pct / 100. */
  chance(pct: number): boolean {
    return this.next01() * 100 < pct;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  gaussian(): number {
    if (this.#spareGaussian !== null) {
      const spare = this.#spareGaussian;
      this.#spareGaussian = null;
      return spare;
    }
    const u1 = 1 - this.next01(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.next01();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.#spareGaussian = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }
}

/** The streams of one link direction. */
export type RandomStreams = Readonly<Record<RandomPurpose, RandomStream>>;

export function createRandomStreams(seed: number | string, linkId: string, direction: string): RandomStreams {
  const make = (purpose: RandomPurpose) => new RandomStream(hashSeed(`${seed}\u0000${linkId}\u0000${direction}\u0000${purpose}`));
  return {
    loss: make('loss'),
    burst: make('burst'),
    jitter: make('jitter'),
    reorder: make('reorder'),
    duplicate: make('duplicate'),
  };
}
