/**
 * Builds random-forest trees on worker threads. The binned data is copied once into shared memory;
 * workers take one tree at a time (seed and bootstrap fixed by the tree's index), so the forest is
 * the same whatever the number of threads, and an abort stops after the trees in flight.
 */
import * as fs from "fs";
import * as path from "path";
import { Worker } from "worker_threads";
import { CartData, CartOptions, TreeArrays, buildCart, treeSample } from "./cart";

/** Options of every tree of a forest (the seed comes per tree). */
export type ForestTreeOptions = Omit<CartOptions, "seed"> & { bootstrap: boolean };

/** Message to a worker: the shared data once, then tree jobs. */
export type ForestWorkerInit = {
  bins: SharedArrayBuffer;
  rows: number;
  cols: number;
  thresholds: Float64Array[];
  codes: SharedArrayBuffer | null;
  target: SharedArrayBuffer | null;
  options: ForestTreeOptions;
};

function shared(source: ArrayBufferView): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(source.byteLength);
  new Uint8Array(buf).set(new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  return buf;
}

const WORKER_FILE = path.join(__dirname, "forest-worker.js");

/**
 * Builds one tree per seed on `threads` workers. Falls back to this thread when the compiled worker
 * script is missing. Results come back in seed order.
 */
export async function buildForestParallel(
  data: CartData,
  options: ForestTreeOptions,
  seeds: number[],
  threads: number,
  signal?: AbortSignal,
): Promise<{ tree: TreeArrays; importance: Float64Array }[]> {
  if (!fs.existsSync(WORKER_FILE)) {
    const out: { tree: TreeArrays; importance: Float64Array }[] = [];
    for (const s of seeds) {
      if (signal?.aborted) break;
      out.push(buildCart(data, treeSample(data.rows, options.bootstrap, s), { ...options, seed: s }));
    }
    return out;
  }
  const init: ForestWorkerInit = {
    bins: shared(data.bins),
    rows: data.rows,
    cols: data.cols,
    thresholds: data.thresholds,
    codes: data.codes ? shared(data.codes) : null,
    target: data.target ? shared(data.target) : null,
    options,
  };
  const results: ({ tree: TreeArrays; importance: Float64Array } | undefined)[] = new Array(seeds.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: Math.min(threads, seeds.length) },
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(WORKER_FILE, { workerData: init });
            workers.push(worker);
            let current = -1;
            const dispatch = (): void => {
              if (next >= seeds.length || signal?.aborted) {
                resolve();
                return;
              }
              current = next++;
              worker.postMessage({ index: current, seed: seeds[current] });
            };
            worker.on("message", (msg: { index: number; tree: TreeArrays; importance: Float64Array }) => {
              results[msg.index] = { tree: msg.tree, importance: msg.importance };
              dispatch();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (code !== 0 && current >= 0 && results[current] === undefined)
                reject(new Error(`forest worker exited with code ${code}`));
            });
            worker.on("online", dispatch);
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.filter((r): r is { tree: TreeArrays; importance: Float64Array } => r !== undefined);
}
