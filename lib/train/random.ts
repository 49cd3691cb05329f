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

/** A seed for a run: the given one, or a fresh random one. */
export function resolveSeed(seed: number | null | undefined): number {
  return seed === null || seed === undefined ? Math.floor(Math.random() * 2 ** 31) : seed;
}
