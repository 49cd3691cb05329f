/**
 * What a cell leaves running, and how an interrupt stops it: the timers, intervals and immediates a
 * cell's code (or library code it called) schedules are tracked per cell (through the cell's
 * AsyncLocalStorage context), and every `await` in a cell's code resumes through {@link CellTasks.gate},
 * which never resumes a cancelled cell. An interrupt cancels the running cell and all work that
 * earlier cells left behind: timers scheduled by cell code are cleared at once; timers scheduled by
 * library code get a short wind-down (so a training loop reaches its next batch boundary, restores
 * what it must and records how far it got) and are then cleared too. Timer callbacks written in a cell
 * run under SIGINT protection, so `setTimeout(() => { while (true) {} })` can be interrupted.
 * Knows nothing of ZeroMQ.
 */
import { AsyncLocalStorage } from "async_hooks";
import * as timers from "timers";
import * as util from "util";
import * as vm from "vm";

/** How long library work of an interrupted cell may take to wind down before its timers are cleared. */
export const WIND_DOWN_MS = 3000;

/** The part of a cell's context this module uses. */
export interface TaskContext {
  /** The interrupt epoch when the cell started: an interrupt after that cancels it. */
  epoch: number;
  /** Set once an interrupt cancelled the cell: its own code never runs again. */
  cancelled?: boolean;
  /** Set once the library work of a cancelled cell wound down (or ran out of time): none of its timers run again. */
  stopped?: boolean;
  /** Pending timers of the cell: handle -> how to clear it, and whether cell code (not a library) scheduled it. */
  timers?: Map<unknown, { clear: (h: never) => void; cell: boolean }>;
}

type TimerFn = (cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;

const NEVER = new Promise<never>(() => undefined);
const CELL_FRAME = /trainlab-cell-\d+\.js/;

/** Tracks and cancels the asynchronous work of cells. */
export class CellTasks {
  private readonly owner = new WeakMap<object, TaskContext>();
  private readonly live = new Set<TaskContext>();
  private pendingCallback: { cb: (...a: unknown[]) => unknown; args: unknown[] } | undefined;
  private readonly runner = new vm.Script("__trainlab__.runTimerCallback()", { filename: "trainlab-timer.js" });
  /** The context whose timer callback is running synchronously now (left set if the callback was terminated). */
  executing: TaskContext | undefined;

  /**
   * @param context the cells' context storage.
   * @param epochs shared state: [0] interrupt counter, incremented by whoever requests an interrupt; [2] depth of SIGINT-protected code.
   */
  constructor(
    private readonly context: AsyncLocalStorage<TaskContext>,
    private readonly epochs: Int32Array,
  ) {}

  /** Runs `fn` (a `breakOnSigint` script) marked in the shared state, so the control thread sends SIGINT only while one runs. */
  underSigint<T>(fn: () => T): T {
    Atomics.add(this.epochs, 2, 1);
    try {
      return fn();
    } finally {
      Atomics.sub(this.epochs, 2, 1);
    }
  }

  /** The current interrupt epoch. */
  epoch(): number {
    return Atomics.load(this.epochs, 0);
  }

  /** Whether `ctx` was cancelled, or an interrupt was requested after it started (even if not processed yet). */
  isCancelled(ctx: TaskContext): boolean {
    return ctx.cancelled === true || ctx.epoch < Atomics.load(this.epochs, 0);
  }

  /** `await x` in cell code becomes `await gate(x)`: resolves like `x` unless the awaiting work's cell was cancelled meanwhile, then never. */
  gate = (value: unknown): Promise<unknown> => {
    const ctx = this.context.getStore();
    if (!ctx) return Promise.resolve(value);
    if (this.isCancelled(ctx)) return NEVER;
    return Promise.resolve(value).then(
      (v) => (this.isCancelled(ctx) ? NEVER : v),
      (e) => (this.isCancelled(ctx) ? NEVER : Promise.reject(e)),
    );
  };

  /** The interrupt epoch the main thread has processed (loops check against it cheaply). */
  processedEpoch = 0;

  /** Starts every loop body of cell code: throws Interrupted when an interrupt was requested after the running work's cell started. */
  tick = (): void => {
    // A plain read of the shared counter, not Atomics.load: it runs once per loop iteration, and Atomics.load cost
    // about 25 ns there against 3 ns for the bare iteration (a plain read about 3 ns more). It still sees the other
    // thread's increment within a busy loop (V8 reads the memory on every call; the interrupt tests depend on it),
    // and the slow path below re-reads atomically.
    if (this.epochs[0] === this.processedEpoch) return;
    const ctx = this.context.getStore();
    if (ctx && this.isCancelled(ctx)) throw this.interruptedError();
  };

  /** Makes the error a loop throws when interrupted (set by the executor). */
  interruptedError: () => Error = () => new Error("Interrupted");

  /** Runs the pending timer callback (called from the SIGINT-protected runner script). */
  runTimerCallback = (): unknown => {
    const pending = this.pendingCallback;
    this.pendingCallback = undefined;
    return pending?.cb(...pending.args);
  };

  /** Replaces the global timer functions with tracking ones (the `timers` module keeps the originals). */
  install(onInterruptedCallback: (ctx: TaskContext) => void): void {
    const g = globalThis as unknown as Record<string, unknown>;
    const wrap = (
      name: "setTimeout" | "setInterval" | "setImmediate",
      original: TimerFn,
      clear: (h: never) => void,
      repeats: boolean,
    ): void => {
      const tasks = this;
      const wrapped = function (this: unknown, cb: (...a: unknown[]) => void, ...rest: unknown[]): unknown {
        const ctx = tasks.context.getStore();
        if (!ctx || typeof cb !== "function") return (original as (...a: unknown[]) => unknown).call(this, cb, ...rest);
        const fromCell = calledFromCell(wrapped);
        const args = name === "setImmediate" ? rest : rest.slice(1);
        const map = (ctx.timers ??= new Map());
        const run = (): void => {
          if (!repeats) {
            map.delete(handle);
            tasks.release(ctx);
          }
          if (ctx.stopped || (fromCell && tasks.isCancelled(ctx))) return;
          if (!fromCell) {
            cb(...args);
            return;
          }
          const previous = tasks.executing;
          tasks.executing = ctx;
          tasks.pendingCallback = { cb, args };
          try {
            tasks.underSigint(() => tasks.runner.runInThisContext({ breakOnSigint: true }));
          } catch (err) {
            const interrupted =
              (err as { code?: string }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" ||
              (err as { name?: string })?.name === "Interrupted";
            if (!interrupted) throw err;
            onInterruptedCallback(ctx);
          } finally {
            tasks.executing = previous;
          }
        };
        const handle = name === "setImmediate" ? original(run) : original(run, rest[0] as number);
        map.set(handle, { clear, cell: fromCell });
        tasks.owner.set(handle as object, ctx);
        tasks.live.add(ctx);
        return handle;
      };
      const custom = (original as unknown as Record<symbol, unknown>)[util.promisify.custom];
      if (custom) Object.defineProperty(wrapped, util.promisify.custom, { value: custom });
      Object.defineProperty(wrapped, "name", { value: name });
      g[name] = wrapped;
    };
    wrap("setTimeout", timers.setTimeout as unknown as TimerFn, timers.clearTimeout as (h: never) => void, false);
    wrap("setInterval", timers.setInterval as unknown as TimerFn, timers.clearInterval as (h: never) => void, true);
    wrap("setImmediate", timers.setImmediate as unknown as TimerFn, timers.clearImmediate as (h: never) => void, false);
    for (const [name, original] of [
      ["clearTimeout", timers.clearTimeout],
      ["clearInterval", timers.clearInterval],
      ["clearImmediate", timers.clearImmediate],
    ] as const) {
      const tasks = this;
      const wrapped = function (handle: unknown): void {
        (original as (h: unknown) => void)(handle);
        const ctx = handle && typeof handle === "object" ? tasks.owner.get(handle) : undefined;
        if (ctx?.timers?.delete(handle)) tasks.release(ctx);
      };
      Object.defineProperty(wrapped, "name", { value: name });
      g[name] = wrapped;
    }
  }

  private release(ctx: TaskContext): void {
    if (!ctx.timers || ctx.timers.size === 0) this.live.delete(ctx);
  }

  /** Cancels `ctx`: its cell code never resumes; cell timers are cleared now, library timers once they went quiet or after {@link WIND_DOWN_MS}. Resolves when all are cleared. */
  async cancel(ctx: TaskContext): Promise<void> {
    ctx.cancelled = true;
    const clearWhere = (cellOnly: boolean): void => {
      for (const [handle, t] of [...(ctx.timers ?? [])]) {
        if (cellOnly && !t.cell) continue;
        t.clear(handle as never);
        ctx.timers?.delete(handle);
      }
      this.release(ctx);
    };
    clearWhere(true);
    const deadline = Date.now() + WIND_DOWN_MS;
    // Library work (a training loop between batches) keeps a timer pending until it is done.
    while (
      (ctx.timers?.size ?? 0) > 0 &&
      [...(ctx.timers?.values() ?? [])].some((t) => !t.cell) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => timers.setTimeout(r, 20));
      clearWhere(true);
    }
    ctx.stopped = true;
    clearWhere(false);
  }

  /** Cancels every context started before the current interrupt epoch that still has timers (work earlier cells left behind). */
  cancelStale(except?: TaskContext): Array<Promise<void>> {
    const out: Array<Promise<void>> = [];
    for (const ctx of [...this.live])
      if (ctx !== except && !ctx.cancelled && this.isCancelled(ctx)) out.push(this.cancel(ctx));
    return out;
  }
}

/** Whether the code calling `fn` is a cell's own code (its frame's file is a trainlab cell). */
function calledFromCell(fn: (...a: never[]) => unknown): boolean {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_e, frames) => frames;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, fn);
    const frame = holder.stack?.[0];
    return frame ? CELL_FRAME.test(String(frame.getFileName() ?? "")) : false;
  } catch {
    return false;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** Where text was inserted into a cell's JavaScript, to map stack columns back to the emitted source map. */
export type Insertions = Map<number, Array<{ column: number; length: number }>>;

/** Maps a 1-based line / 0-based column in the gated JavaScript back to the column before insertion. */
export function unshiftColumn(insertions: Insertions | undefined, line: number, column: number): number {
  const list = insertions?.get(line);
  if (!list) return column;
  let shift = 0;
  for (const ins of list) {
    const at = ins.column + shift;
    if (column >= at + ins.length) shift += ins.length;
    else if (column >= at) return ins.column;
    else break;
  }
  return column - shift;
}
