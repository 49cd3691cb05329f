/** Clustering: k-means (k-means++ initialization, seeded) and agglomerative (hierarchical) clustering. */
import type { FeatureInput, Matrix, TargetInput } from "../data/matrix";
import type { FitOptions, Params } from "./estimator";
import { BaseClusterer, ModelState, SeededRandom, fitSeed, registerEstimator, trainingMatrix } from "./base";
import { ValidationError } from "../core/validation";

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/** Index of the nearest centre of each row, and the total squared distance (inertia). */
function assign(m: Matrix, centers: Float64Array, k: number, labels: Int32Array): number {
  let inertia = 0;
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const dd = sqDist(m.data, i * m.cols, centers, c * m.cols, m.cols);
      if (dd < bestD) {
        bestD = dd;
        best = c;
      }
    }
    labels[i] = best;
    inertia += bestD;
  }
  return inertia;
}

function distancesTo(m: Matrix, centers: Float64Array, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: number[] = [];
    for (let c = 0; c < k; c++) row.push(Math.sqrt(sqDist(m.data, i * m.cols, centers, c * m.cols, m.cols)));
    out.push(row);
  }
  return out;
}

/**
 * What k-means and agglomerative clustering share once fitted: each cluster is a point (a centre or a centroid), a
 * row belongs to the nearest one, and the score is minus the sum of squared distances of the rows to their points.
 */
abstract class NearestPointClusterer<P extends Params & { nClusters: number }> extends BaseClusterer<P> {
  /** The cluster of each training row. */
  protected labels: Int32Array = new Int32Array(0);
  /** The cluster points, clusters × features (row-major). */
  protected abstract clusterPoints(): Float64Array;

  protected labelsOfTraining(): Int32Array {
    return this.labels;
  }

  /** Euclidean distance of each row to each cluster's point. @throws Error when unfitted. */
  transform(X: FeatureInput): number[][] {
    return distancesTo(this.inputMatrix(X, "transform"), this.clusterPoints(), this.params.nClusters);
  }

  /** The cluster with the nearest point, for each row. @throws Error when unfitted. */
  predict(X: FeatureInput): number[] {
    const m = this.inputMatrix(X, "predict");
    const labels = new Int32Array(m.rows);
    assign(m, this.clusterPoints(), this.params.nClusters, labels);
    return Array.from(labels);
  }

  /**
   * Minus the sum of squared distances of X's rows to their nearest cluster point (higher is better; for k-means the
   * inertia, as scikit-learn's KMeans.score). @throws Error when unfitted.
   */
  score(X: FeatureInput, _y?: TargetInput): number {
    const m = this.inputMatrix(X, "score");
    return -assign(m, this.clusterPoints(), this.params.nClusters, new Int32Array(m.rows));
  }
}

/** Hyperparameters of {@link KMeans}. */
export interface KMeansParams {
  [key: string]: number;
  nClusters: number;
  /** Independent k-means++ starts; the lowest inertia wins. */
  nInit: number;
  maxIter: number;
  /** Stop when centres move less than tol (relative to the data variance). */
  tol: number;
}

/** K-means (Lloyd's algorithm) with k-means++ initialization; the same seed gives the same clusters. */
export class KMeans extends NearestPointClusterer<KMeansParams> {
  readonly name = "KMeans";
  /** Cluster centres, clusters × features. */
  centers: Float64Array = new Float64Array(0);
  /** Sum of squared distances of the training rows to their centre. */
  inertia = 0;

  constructor(params: Partial<KMeansParams> = {}) {
    super({ nClusters: 8, nInit: 4, maxIter: 300, tol: 1e-4 }, params);
  }
  protected override validateParams(p: KMeansParams): void {
    if (!(Number.isInteger(p.nClusters) && p.nClusters >= 1))
      throw new Error(`KMeans: nClusters must be an integer >= 1 (got ${p.nClusters}).`);
    if (!(Number.isInteger(p.nInit) && p.nInit >= 1))
      throw new Error(`KMeans: nInit must be an integer >= 1 (got ${p.nInit}).`);
  }

  /** Clusters X (y is ignored). @throws Error when X has fewer rows than nClusters, or on bad input. */
  async fit(X: FeatureInput, _y?: TargetInput, options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const k = this.params.nClusters;
    if (m.rows < k)
      throw new ValidationError(`KMeans.fit: ${m.rows} samples cannot form ${k} clusters; lower nClusters.`);
    this.rememberShape(m);
    const d = m.cols;
    const rng = new SeededRandom(fitSeed(options));
    let variance = 0;
    for (let j = 0; j < d; j++) {
      let mu = 0;
      for (let i = 0; i < m.rows; i++) mu += m.data[i * d + j];
      mu /= m.rows;
      for (let i = 0; i < m.rows; i++) variance += (m.data[i * d + j] - mu) ** 2;
    }
    const tol = this.params.tol * (variance / (m.rows * d));
    let bestInertia = Infinity;
    for (let run = 0; run < this.params.nInit; run++) {
      if (options?.signal?.aborted && run > 0) break;
      const centers = this.plusPlus(m, k, rng);
      const labels = new Int32Array(m.rows);
      let inertia = assign(m, centers, k, labels);
      for (let iter = 0; iter < this.params.maxIter; iter++) {
        const next = new Float64Array(k * d);
        const counts = new Float64Array(k);
        for (let i = 0; i < m.rows; i++) {
          counts[labels[i]]++;
          for (let j = 0; j < d; j++) next[labels[i] * d + j] += m.data[i * d + j];
        }
        let shift = 0;
        for (let c = 0; c < k; c++) {
          if (counts[c] === 0) {
            // An empty cluster takes the row farthest from its centre.
            let far = 0;
            let farD = -1;
            for (let i = 0; i < m.rows; i++) {
              const dd = sqDist(m.data, i * d, centers, labels[i] * d, d);
              if (dd > farD) {
                farD = dd;
                far = i;
              }
            }
            next.set(m.data.subarray(far * d, (far + 1) * d), c * d);
          } else for (let j = 0; j < d; j++) next[c * d + j] /= counts[c];
          shift += sqDist(next, c * d, centers, c * d, d);
        }
        centers.set(next);
        inertia = assign(m, centers, k, labels);
        if (shift <= tol) break;
      }
      if (inertia < bestInertia) {
        bestInertia = inertia;
        this.centers = centers;
        this.labels = labels;
      }
    }
    this.inertia = bestInertia;
    this.isFitted = true;
    return this;
  }

  private plusPlus(m: Matrix, k: number, rng: SeededRandom): Float64Array {
    const d = m.cols;
    const centers = new Float64Array(k * d);
    const first = rng.int(m.rows);
    centers.set(m.data.subarray(first * d, (first + 1) * d), 0);
    const closest = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) closest[i] = sqDist(m.data, i * d, centers, 0, d);
    for (let c = 1; c < k; c++) {
      let total = 0;
      for (let i = 0; i < m.rows; i++) total += closest[i];
      let target = rng.next() * total;
      let pick = m.rows - 1;
      for (let i = 0; i < m.rows; i++) {
        target -= closest[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
      centers.set(m.data.subarray(pick * d, (pick + 1) * d), c * d);
      for (let i = 0; i < m.rows; i++) closest[i] = Math.min(closest[i], sqDist(m.data, i * d, centers, c * d, d));
    }
    return centers;
  }

  protected clusterPoints(): Float64Array {
    return this.centers;
  }

  protected exportState(): ModelState {
    return { centers: this.centers, inertia: this.inertia, labels: this.labels };
  }
  restoreState(state: ModelState): void {
    this.centers = state.centers as Float64Array;
    this.inertia = state.inertia as number;
    this.labels = state.labels as Int32Array;
  }
}

/** Linkages of {@link AgglomerativeClustering}. */
export type Linkage = "ward" | "average" | "complete" | "single";

/** Hyperparameters of {@link AgglomerativeClustering}. */
export interface AgglomerativeParams {
  [key: string]: number | string;
  nClusters: number;
  linkage: Linkage;
}

/** The most rows agglomerative clustering accepts (it keeps an n × n distance matrix). */
export const AGGLOMERATIVE_MAX_ROWS = 6000;

/**
 * Agglomerative (hierarchical) clustering with ward, average, complete or single linkage, by the
 * nearest-neighbour chain algorithm (O(n²) time and memory). `merges` holds the dendrogram.
 * New rows are assigned to the nearest cluster centroid (`predict`, `transform`).
 */
export class AgglomerativeClustering extends NearestPointClusterer<AgglomerativeParams> {
  readonly name = "AgglomerativeClustering";
  /** Dendrogram, in merge order: [a, b, height, size] with a, b the representative rows of the merged clusters. */
  merges: [number, number, number, number][] = [];
  /** Centroids of the final clusters, clusters × features. */
  centroids: Float64Array = new Float64Array(0);

  constructor(params: Partial<AgglomerativeParams> = {}) {
    super({ nClusters: 2, linkage: "ward" }, params);
  }
  protected override validateParams(p: AgglomerativeParams): void {
    if (!(Number.isInteger(p.nClusters) && p.nClusters >= 1))
      throw new Error(`AgglomerativeClustering: nClusters must be an integer >= 1 (got ${p.nClusters}).`);
    if (!["ward", "average", "complete", "single"].includes(p.linkage))
      throw new Error(
        `AgglomerativeClustering: linkage must be ward, average, complete or single (got ${JSON.stringify(p.linkage)}).`,
      );
  }

  /** Builds the dendrogram and cuts it into nClusters. @throws Error above AGGLOMERATIVE_MAX_ROWS rows or below nClusters rows. */
  async fit(X: FeatureInput, _y?: TargetInput, _options?: FitOptions): Promise<this> {
    const m = trainingMatrix(X, this.name);
    const n = m.rows;
    const k = this.params.nClusters;
    if (n < k)
      throw new ValidationError(
        `AgglomerativeClustering.fit: ${n} samples cannot form ${k} clusters; lower nClusters.`,
      );
    if (n > AGGLOMERATIVE_MAX_ROWS)
      throw new ValidationError(
        `AgglomerativeClustering.fit: ${n} rows is above the ${AGGLOMERATIVE_MAX_ROWS} it accepts (it needs an n×n distance matrix). Sample the rows, or use KMeans.`,
      );
    this.rememberShape(m);
    const d = m.cols;
    const linkage = this.params.linkage;
    const ward = linkage === "ward";
    const D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const s = sqDist(m.data, i * d, m.data, j * d, d);
        D[i * n + j] = D[j * n + i] = ward ? s : Math.sqrt(s);
      }
    }
    const size = new Float64Array(n).fill(1);
    const active = new Uint8Array(n).fill(1);
    const merges: [number, number, number, number][] = [];
    const chain: number[] = [];
    let remaining = n;
    while (remaining > 1) {
      if (chain.length === 0) {
        let start = 0;
        while (!active[start]) start++;
        chain.push(start);
      }
      const a = chain[chain.length - 1];
      const prev = chain.length >= 2 ? chain[chain.length - 2] : -1;
      let b = prev;
      let best = prev >= 0 ? D[a * n + prev] : Infinity;
      for (let c = 0; c < n; c++) {
        if (!active[c] || c === a) continue;
        if (D[a * n + c] < best) {
          best = D[a * n + c];
          b = c;
        }
      }
      if (b === prev) {
        chain.pop();
        chain.pop();
        // Merge b into a; a becomes the representative.
        const na = size[a];
        const nb = size[b];
        for (let c = 0; c < n; c++) {
          if (!active[c] || c === a || c === b) continue;
          const dac = D[a * n + c];
          const dbc = D[b * n + c];
          let v: number;
          if (linkage === "single") v = Math.min(dac, dbc);
          else if (linkage === "complete") v = Math.max(dac, dbc);
          else if (linkage === "average") v = (na * dac + nb * dbc) / (na + nb);
          else {
            const nc = size[c];
            v = ((na + nc) * dac + (nb + nc) * dbc - nc * best) / (na + nb + nc);
          }
          D[a * n + c] = D[c * n + a] = v;
        }
        active[b] = 0;
        size[a] = na + nb;
        remaining--;
        merges.push([a, b, ward ? Math.sqrt(Math.max(0, best)) : best, na + nb]);
      } else chain.push(b);
    }
    merges.sort((x, y) => x[2] - y[2]);
    this.merges = merges;
    // Cut: apply the n - k lowest merges with union-find.
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]];
      return i;
    };
    for (let t = 0; t < n - k; t++) parent[find(merges[t][1])] = find(merges[t][0]);
    const ids = new Map<number, number>();
    this.labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const root = find(i);
      if (!ids.has(root)) ids.set(root, ids.size);
      this.labels[i] = ids.get(root) as number;
    }
    this.centroids = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[this.labels[i]]++;
      for (let j = 0; j < d; j++) this.centroids[this.labels[i] * d + j] += m.data[i * d + j];
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) this.centroids[c * d + j] /= counts[c];
    this.isFitted = true;
    return this;
  }

  protected clusterPoints(): Float64Array {
    return this.centroids;
  }

  protected exportState(): ModelState {
    return { merges: this.merges, centroids: this.centroids, labels: this.labels };
  }
  restoreState(state: ModelState): void {
    this.merges = state.merges as [number, number, number, number][];
    this.centroids = state.centroids as Float64Array;
    this.labels = state.labels as Int32Array;
  }
}

registerEstimator("KMeans", (p) => new KMeans(p as Partial<KMeansParams>));
registerEstimator("AgglomerativeClustering", (p) => new AgglomerativeClustering(p as Partial<AgglomerativeParams>));
