/**
 * A small seeded PRNG (mulberry32) whose state can be saved in a checkpoint, and a way to make tfjs's
 * unseeded random ops (weight initialisers, dropout masks) draw from it.
 */

/** A seeded pseudo-random generator with a serialisable state. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
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

  /** A Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
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

/**
 * Runs a synchronous function with `Math.random` drawing from `rng`, so tfjs's unseeded random ops
 * (initialisers, `tf.dropout`) are reproducible. `Math.random` is restored afterwards, even on error.
 */
export function withSeededRandom<T>(rng: SeededRandom, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** A seed for a run: the given one, or a fresh random one. */
export function resolveSeed(seed: number | null | undefined): number {
  return seed === null || seed === undefined ? Math.floor(Math.random() * 2 ** 31) : seed;
}
