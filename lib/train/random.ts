/**
 * A small seeded PRNG (mulberry32) whose state can be saved in a checkpoint, and a way to make tfjs's
 * unseeded random ops (weight initialisers, dropout masks) draw from it.
 */

import { SeededRandom } from "../random";

export { SeededRandom };

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

/**
 * A seed for a run: the given one, else 0, the seed every trainlab fit defaults to (lib/models' `DEFAULT_SEED`), so that
 * re-running a notebook repeats its runs; pass another seed for another draw.
 */
export function resolveSeed(seed: number | null | undefined): number {
  return seed === null || seed === undefined ? 0 : seed;
}
