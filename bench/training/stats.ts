/** bench/training's small statistics helpers: median and rounding of measured figures. */

/** The median of `v` (the upper one for an even length). */
export function median(v: number[]): number {
  return [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
}

/** `v` rounded to `digits` decimals. */
export function round(v: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
