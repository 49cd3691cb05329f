/**
 * Numerical building blocks of the linear models and the SVM: per-column standardization statistics, L-BFGS, damped
 * Newton polishing, and a Cholesky solver for symmetric positive definite systems.
 */
import type { Matrix } from "../data/matrix";

/** Per-column mean and standard deviation (std 1 for constant columns). */
export function columnStats(m: Matrix): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(m.cols);
  const std = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) std[j] += (m.data[i * m.cols + j] - mean[j]) ** 2;
  for (let j = 0; j < m.cols; j++) {
    std[j] = Math.sqrt(std[j] / m.rows);
    if (!(std[j] > 1e-12)) std[j] = 1;
  }
  return { mean, std };
}

/**
 * Minimizes a smooth function with L-BFGS (two-loop recursion, Armijo backtracking).
 * `evaluate(x, grad)` returns f(x) and writes the gradient into `grad`.
 */
export function lbfgs(
  evaluate: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  options: { maxIter: number; tol: number; memory?: number; signal?: AbortSignal },
): { x: Float64Array; iterations: number; converged: boolean } {
  const n = x0.length;
  const memory = options.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = evaluate(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iter = 0;
  for (; iter < options.maxIter; iter++) {
    if (options.signal?.aborted) break;
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]));
    if (gmax < options.tol) return { x, iterations: iter, converged: true };
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += S[k][i] * dir[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) dir[i] -= a * Y[k][i];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[last][i] * Y[last][i];
        yy += Y[last][i] * Y[last][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      for (let i = 0; i < n; i++) dir[i] /= Math.max(1, norm);
    }
    for (let k = 0; k < S.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[k][i] * dir[i];
      b *= rho[k];
      for (let i = 0; i < n; i++) dir[i] += S[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * dir[i];
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = evaluate(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f) && !(fNew <= f)) break;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
      sy += s[i] * yv[i];
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (sy > 1e-12) {
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      if (S.length > memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    if (Math.abs(fOld - f) <= 1e-12 * Math.max(1, Math.abs(f))) return { x, iterations: iter + 1, converged: true };
  }
  return { x, iterations: iter, converged: false };
}

/**
 * Damped Newton steps on a smooth convex function from `x` (updated in place) until the step is at round-off
 * level. Returns the number of steps taken.
 */
export function newtonPolish(
  x: Float64Array,
  evaluate: (x: Float64Array, grad: Float64Array) => number,
  hessian: (x: Float64Array) => Float64Array,
  maxSteps: number,
): number {
  const P = x.length;
  const g = new Float64Array(P);
  const gNew = new Float64Array(P);
  const xNew = new Float64Array(P);
  let f = evaluate(x, g);
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    let dir: Float64Array;
    try {
      dir = solveSpd(hessian(x), g, P);
    } catch {
      break;
    }
    let slope = 0;
    let stepMax = 0;
    let xMax = 0;
    for (let q = 0; q < P; q++) {
      slope -= g[q] * dir[q];
      stepMax = Math.max(stepMax, Math.abs(dir[q]));
      xMax = Math.max(xMax, Math.abs(x[q]));
    }
    if (!(slope < 0)) break;
    let t = 1;
    let accepted = false;
    for (let tries = 0; tries < 30; tries++) {
      for (let q = 0; q < P; q++) xNew[q] = x[q] - t * dir[q];
      const fNew = evaluate(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * t * slope + 1e-15 * Math.abs(f)) {
        x.set(xNew);
        g.set(gNew);
        f = fNew;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    if (t * stepMax <= 1e-11 * Math.max(1, xMax)) {
      steps++;
      break;
    }
  }
  return steps;
}

/** Solves the symmetric positive definite system A x = b (n × n, row-major) by Cholesky; adds jitter when singular. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i];
  for (let attempt = 0; attempt < 8; attempt++) {
    const jitter = attempt === 0 ? 0 : (trace / n || 1) * 10 ** (attempt - 13);
    const L = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = A[i * n + j] + (i === j ? jitter : 0);
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        if (i === j) {
          if (!(s > 1e-12 * Math.max(1, Math.abs(A[i * n + i])))) {
            ok = false;
            break;
          }
          L[i * n + i] = Math.sqrt(s);
        } else L[i * n + j] = s / L[j * n + j];
      }
    }
    if (!ok) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
      z[i] = s / L[i * n + i];
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
      x[i] = s / L[i * n + i];
    }
    return x;
  }
  throw new Error("The normal equations are singular even with jitter: remove constant or duplicate feature columns.");
}
