/**
 * Special functions the validation statistics share: the log-gamma function (Lanczos) for binomial coefficients,
 * the incomplete gamma function and exact distributions.
 */

/** ln Γ(z) for real z (Lanczos approximation, g = 7, about 1e-15 relative). Never throws; NaN for poles. */
export function logGamma(z: number): number {
  // Lanczos approximation (g = 7), accurate to ~1e-15 relative.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  z -= 1;
  let x = c[0];
  for (let i = 1; i < 9; i++) x += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}
