/**
 * Worker thread of gradient boosting: does the histogram work (build, subtract from the parent) and the split search
 * of the second half of the features of each node it is signalled ({@link nodeShare}), or the gradients of the
 * second half of the rows.
 * A job that throws is reported through shared memory (the main thread is blocked in Atomics and cannot see events),
 * and so is the thread's exit.
 */
import { workerData } from "worker_threads";
import { CTRL, GradientArrays, HistInputs, HistWorkerData, JOB, lossGradients, nodeShare } from "./hist";

const d = workerData as HistWorkerData;
/** Polls of the job counter before the thread sleeps in Atomics.wait (some tens of microseconds). */
const SPIN_POLLS = 20_000;
const ctrl = new Int32Array(d.ctrl);
const errorText = new Uint8Array(d.errorText);

process.on("exit", () => {
  Atomics.store(ctrl, CTRL.dead, 1);
  Atomics.notify(ctrl, CTRL.done);
});

function report(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  const bytes = new TextEncoder().encode(message).subarray(0, errorText.length);
  errorText.set(bytes);
  Atomics.store(ctrl, CTRL.errorLength, bytes.length);
  Atomics.store(ctrl, CTRL.error, 1);
  Atomics.notify(ctrl, CTRL.done);
}

try {
  const inputs: HistInputs = {
    bins: new Uint8Array(d.bins), rows: d.rows, cols: d.cols, idx: new Int32Array(d.idx), grad: new Float64Array(d.grad), hess: new Float64Array(d.hess),
    gOrdered: new Float64Array(d.gOrdered), hOrdered: new Float64Array(d.hOrdered), rootCounts: new Float64Array(d.rootCounts),
  };
  const store = new Float64Array(d.store);
  const searches = new Float64Array(d.searches);
  const gradients: GradientArrays = {
    raw: new Float64Array(d.raw), prob: new Float64Array(d.prob), y: new Float64Array(d.y), grad: inputs.grad, hess: inputs.hess, outputs: d.outputs,
  };
  Atomics.store(ctrl, CTRL.ready, 1);
  let seen = 0;
  for (;;) {
    // While a tree grows the next node comes within microseconds: poll a little before sleeping (waking a sleeping
    // thread costs more than a small node's histograms).
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(ctrl, CTRL.seq) === seen; spin++);
    Atomics.wait(ctrl, CTRL.seq, seen);
    const seq = Atomics.load(ctrl, CTRL.seq);
    seen = seq;
    if (Atomics.load(ctrl, CTRL.quit) === 1) break;
    // The main thread may have computed this job itself (when this thread was late): then skip it.
    if (Atomics.compareExchange(ctrl, CTRL.claim, seq - 1, seq) !== seq - 1) continue;
    if (d.fault === "exit") process.exit(3);
    if (d.fault === "throw") throw new Error("injected test failure in the histogram worker");
    const slot = Atomics.load(ctrl, CTRL.slot);
    if (Atomics.load(ctrl, CTRL.kind) === JOB.gradients) {
      lossGradients(gradients, slot, Atomics.load(ctrl, CTRL.f0), Atomics.load(ctrl, CTRL.start), Atomics.load(ctrl, CTRL.end));
      Atomics.store(ctrl, CTRL.done, seq);
      Atomics.notify(ctrl, CTRL.done);
      continue;
    }
    const hist = store.subarray(slot * d.histSize, (slot + 1) * d.histSize);
    const parentSlot = Atomics.load(ctrl, CTRL.parent);
    const parent = parentSlot >= 0 ? store.subarray(parentSlot * d.histSize, (parentSlot + 1) * d.histSize) : null;
    nodeShare(inputs, Atomics.load(ctrl, CTRL.start), Atomics.load(ctrl, CTRL.end), hist, parent, Atomics.load(ctrl, CTRL.f0), d.cols, d.rules, searches);
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
} catch (e) {
  report(e);
}
