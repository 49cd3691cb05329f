/** Small statistics used by the figure builders. */

/** Mean of numbers (NaN for none). */
export function meanOf(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Population standard deviation (numpy's default, ddof = 0), as scikit-learn reports CV score spread. */
export function stdOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const m = meanOf(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}
