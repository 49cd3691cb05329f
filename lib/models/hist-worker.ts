/** Worker thread of gradient boosting: builds the second half of the features' histograms of each node it is signalled. */
import { workerData } from "worker_threads";
import { CTRL, HistInputs, HistWorkerData, histFeatures } from "./hist";

const d = workerData as HistWorkerData;
const inputs: HistInputs = {
  bins: new Uint8Array(d.bins), rows: d.rows, cols: d.cols, idx: new Int32Array(d.idx), grad: new Float64Array(d.grad), hess: new Float64Array(d.hess),
  gOrdered: new Float64Array(d.gOrdered), hOrdered: new Float64Array(d.hOrdered),
};
const store = new Float64Array(d.store);
const ctrl = new Int32Array(d.ctrl);
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.seq, seq);
  seq = Atomics.load(ctrl, CTRL.seq);
  if (Atomics.load(ctrl, CTRL.quit) === 1) break;
  const slot = Atomics.load(ctrl, CTRL.slot);
  const hist = store.subarray(slot * d.histSize, (slot + 1) * d.histSize);
  histFeatures(inputs, Atomics.load(ctrl, CTRL.start), Atomics.load(ctrl, CTRL.end), hist, Atomics.load(ctrl, CTRL.f0), d.cols);
  Atomics.store(ctrl, CTRL.done, seq);
  Atomics.notify(ctrl, CTRL.done);
}
