/** Worker-thread entry of {@link buildForestParallel}: builds the trees it is sent, one message per tree. */
import { parentPort, workerData } from "worker_threads";
import { CartData, buildCart, treeSample } from "./cart";
import type { ForestWorkerInit } from "./forest-pool";

const init = workerData as ForestWorkerInit;
const data: CartData = {
  bins: new Uint8Array(init.bins),
  rows: init.rows,
  cols: init.cols,
  thresholds: init.thresholds,
  codes: init.codes ? new Int32Array(init.codes) : undefined,
  target: init.target ? new Float64Array(init.target) : undefined,
};
parentPort?.on("message", (job: { index: number; seed: number }) => {
  const { tree, importance } = buildCart(data, treeSample(data.rows, init.options.bootstrap, job.seed), {
    ...init.options,
    seed: job.seed,
  });
  const transfer = [
    tree.feature.buffer,
    tree.threshold.buffer,
    tree.left.buffer,
    tree.right.buffer,
    tree.value.buffer,
    tree.samples.buffer,
    importance.buffer,
  ];
  parentPort?.postMessage({ index: job.index, tree, importance }, transfer as ArrayBuffer[]);
});
