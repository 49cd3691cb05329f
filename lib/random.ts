/**
 * The one seeded pseudo-random generator trainlab uses everywhere (splits, folds, bootstraps, trees,
 * weight initialisation): mulberry32, small, fast and dependency-free, so worker threads load it too.
 * Same seed, same stream.
 */

/** The default salt mixed into seeds. A module that wants a stream independent of another's for the same seed passes its own. */
const DEFAULT_SALT = 0x9e3779b9;

/** A seeded generator with a serialisable state (for checkpoints). */
export class SeededRandom {
  private state: number;

  constructor(seed = 0, salt = DEFAULT_SALT) {
    this.state = (Math.floor(seed) ^ salt) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A new 32-bit seed, for child generators. */
  seed(): number {
    return Math.floor(this.next() * 4294967296);
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return shuffleInPlace(p, () => this.next());
  }

  /** The generator's state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  /** Restores a state from {@link getState}. */
  setState(state: number): void {
    this.state = state >>> 0;
  }
}

/** The same generator as a function returning floats in [0, 1). */
export function seededRandom(seed: number, salt = DEFAULT_SALT): () => number {
  const rng = new SeededRandom(seed, salt);
  return () => rng.next();
}

/** Shuffles an index array in place (Fisher–Yates) with the given generator, and returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, random: () => number): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}
