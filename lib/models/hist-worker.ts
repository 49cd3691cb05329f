/**
 * Worker thread of gradient boosting: takes chunks of the jobs the main thread posts (a node's histograms, parent −
 * child subtraction and split search for a few features; or the gradients of some rows), as many as it gets to.
 * A chunk that throws is reported through shared memory (the main thread is blocked in Atomics and cannot see
 * events), and so is the thread's exit.
 */
import { workerData } from "worker_threads";
import { CTRL, HistWorkerData, JobContext, claimChunk, runChunk } from "./hist";

const d = workerData as HistWorkerData;
/** Polls of the job counter before the thread sleeps in Atomics.wait (some tens of microseconds). */
const SPIN_POLLS = 20_000;
const ctrl = new Int32Array(d.ctrl);
const errorText = new Uint8Array(d.errorText);

process.on("exit", () => {
  Atomics.store(ctrl, CTRL.dead, 1);
  Atomics.notify(ctrl, CTRL.finished);
});

function report(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  const bytes = new TextEncoder().encode(message).subarray(0, errorText.length);
  errorText.set(bytes);
  Atomics.store(ctrl, CTRL.errorLength, bytes.length);
  Atomics.store(ctrl, CTRL.error, 1);
  Atomics.notify(ctrl, CTRL.finished);
}

try {
  const grad = new Float64Array(d.grad);
  const hess = new Float64Array(d.hess);
  const ctx: JobContext = {
    inputs: {
      bins: new Uint8Array(d.bins),
      rows: d.rows,
      cols: d.cols,
      idx: new Int32Array(d.idx),
      ghOrdered: new Float64Array(d.ghOrdered),
    },
    gradients: {
      raw: new Float64Array(d.raw),
      prob: new Float64Array(d.prob),
      y: new Float64Array(d.y),
      grad,
      hess,
      outputs: d.outputs,
    },
    store: new Float64Array(d.store),
    histSize: d.histSize,
    rules: d.rules,
    searches: new Float64Array(d.searches),
    ctrl,
  };
  Atomics.store(ctrl, CTRL.ready, 1);
  let seen = 0;
  for (;;) {
    // While a tree grows the next node comes within microseconds: poll a little before sleeping (waking a sleeping
    // thread costs more than a small node's share).
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(ctrl, CTRL.seq) === seen; spin++);
    Atomics.wait(ctrl, CTRL.seq, seen);
    seen = Atomics.load(ctrl, CTRL.seq);
    if (Atomics.load(ctrl, CTRL.quit) === 1) break;
    for (let c = claimChunk(ctrl, seen); c >= 0; c = claimChunk(ctrl, seen)) {
      if (d.fault === "exit") process.exit(3);
      if (d.fault === "throw") throw new Error("injected test failure in the histogram worker");
      runChunk(ctx, c);
      Atomics.add(ctrl, CTRL.finished, 1);
      Atomics.notify(ctrl, CTRL.finished);
    }
  }
} catch (e) {
  report(e);
}
