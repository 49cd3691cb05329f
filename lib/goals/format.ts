/** How goals and scorecards print a number. */

/** Integers with separators; others to 4 decimals (trailing zeros dropped), or exponent form when tiny or huge. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
}
