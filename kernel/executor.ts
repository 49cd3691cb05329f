/**
 * Runs converted cells in this process: one shared scope (`exports`) across cells, top-level await,
 * interruption (an AbortSignal per cell, an interrupt epoch checked at every `await`, loop iteration and
 * function call of cell code, SIGINT for other synchronous code; see cell-tasks.ts), and errors mapped back
 * to the cell's own line numbers through the emitted source map (cell-errors.ts). A cell's imports load before its
 * code, and asynchronous set-up they register ({@link Executor.awaitBeforeCell}) finishes before the
 * code runs. Knows nothing of ZeroMQ (or of any library).
 */
import { AsyncLocalStorage } from "async_hooks";
import Module, { SourceMap } from "module";
import * as path from "path";
import * as vm from "vm";
import { CELL_CONTEXT, CheckerThread } from "./checker";
import type { Completion, QuickInfo, SideOutput } from "./converter";
import { installSourceFidelity } from "./source-fidelity";
import { CellTasks, TaskContext } from "./cell-tasks";
import { CellError, CellErrors, CellSource, Outcome, typeErrorOutcome } from "./cell-errors";

export type { CellError, Outcome } from "./cell-errors";
export { typeErrorOutcome } from "./cell-errors";

/** Per-cell context, visible to asynchronous work the cell started (AsyncLocalStorage). */
export interface CellContext extends TaskContext {
  /** The execution count of the cell, or 0 for silent runs. */
  count: number;
  controller: AbortController;
  /** Opaque data the server attaches (the request's header). */
  parent: unknown;
  /** Set when the cell's execute_reply went out. */
  done?: boolean;
}

/** Thrown into an awaiting cell when the user interrupts it. */
export class InterruptedError extends Error {
  constructor() {
    super("The cell was interrupted; the kernel's state is kept.");
    this.name = "Interrupted";
  }
}

/** Executes cells of TypeScript; one per kernel. */
export class Executor {
  private prevDecl = "";
  private readonly converter: CheckerThread;
  private readonly store: Record<string | symbol, unknown> = {};
  private readonly exportsProxy: Record<string | symbol, unknown>;
  private readonly cellRequire: NodeJS.Require;
  private readonly sideOutputs = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();
  private readonly sources = new Map<number, CellSource>();
  /** Describes errors of cell code through the sources above. */
  private readonly errors = new CellErrors(this.sources);
  private fileCounter = 0;
  private rejectRunning: ((reason: unknown) => void) | undefined;
  private readonly awaited: Array<Promise<unknown>> = [];
  private readonly importListeners: Array<(specifier: string, exports: unknown) => void> = [];
  private running: CellContext | undefined;
  private lastContext: CellContext | undefined;
  /** Carries the running cell's context into the asynchronous work it starts. */
  readonly context = new AsyncLocalStorage<CellContext>();
  /** The timers and awaits of cells, and their cancellation on interrupt. */
  readonly tasks: CellTasks;
  private readonly epochs: Int32Array;
  private seenEpoch = 0;

  /**
   * @param interruptEpochs shared state: [0] the interrupt epoch, which whoever requests an interrupt
   *   increments before telling this executor; [2] how deep SIGINT-protected code runs now (a SIGINT
   *   is only worth sending then). A private one when omitted.
   */
  constructor(
    readonly cwd: string,
    fallbackRoot?: string,
    interruptEpochs?: Int32Array,
  ) {
    this.epochs = interruptEpochs ?? new Int32Array(new SharedArrayBuffer(12));
    this.seenEpoch = Atomics.load(this.epochs, 0);
    this.tasks = new CellTasks(this.context as AsyncLocalStorage<TaskContext>, this.epochs);
    this.tasks.install(() => this.interrupt());
    installSourceFidelity();
    this.tasks.processedEpoch = this.seenEpoch;
    this.tasks.interruptedError = () => new InterruptedError();
    this.converter = new CheckerThread(cwd, fallbackRoot);
    const store = this.store;
    this.exportsProxy = new Proxy(store, {
      // TypeScript turns re-exported imports into defineProperty with a getter; keep them rewritable values.
      defineProperty: (_t, prop, attrs) => {
        if (prop === "__esModule") return true;
        store[prop] = attrs.get ? attrs.get() : attrs.value;
        return true;
      },
    });
    const local = Module.createRequire(path.join(cwd, "__notebook__.js"));
    const fallback = fallbackRoot ? Module.createRequire(path.join(fallbackRoot, "__notebook__.js")) : undefined;
    this.cellRequire = this.wrapRequire((id: string) => {
      try {
        return local(id);
      } catch (err) {
        if (fallback && !id.startsWith(".") && (err as { code?: string }).code === "MODULE_NOT_FOUND")
          return fallback(id);
        throw err;
      }
    }, cwd) as NodeJS.Require;
    Object.defineProperty(globalThis, "__trainlab__", {
      value: {
        exports: this.exportsProxy,
        require: this.cellRequire,
        gate: this.tasks.gate,
        tick: this.tasks.tick,
        runTimerCallback: this.tasks.runTimerCallback,
      },
      configurable: true,
      writable: true,
    });
  }

  /** The variables cells have declared. */
  get locals(): Record<string | symbol, unknown> {
    return this.store;
  }

  /** The context of the cell whose (possibly asynchronous) code is running now, else of the last cell. */
  currentContext(): CellContext | undefined {
    const own = this.context.getStore();
    // Work left running by a finished cell reports to the cell running now (as ipykernel does).
    if (own && !own.done) return own;
    return this.running ?? this.lastContext ?? own;
  }

  /** Starts the type checker's thread, which builds its first program ahead of the first cell; returns at once. */
  warmUp(): void {
    this.converter.start();
  }

  /** Where the type checker is: cold, warming or ready. */
  get checkerState(): string {
    return this.converter.state;
  }

  private wrapRequire(req: (id: string) => unknown, dirname: string): (id: string) => unknown {
    const fromSide = (id: string): unknown => {
      let filename = path.resolve(dirname, id);
      if (path.extname(filename) === "") filename += ".js";
      const cached = this.sideModules.get(filename);
      if (cached) return cached.exports;
      const code = this.sideOutputs.get(filename);
      if (code === undefined) return undefined;
      const mod = new Module(filename, module);
      mod.filename = filename;
      mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
        path.dirname(filename),
      );
      const inner = this.wrapRequire((i) => mod.require(i), path.dirname(filename));
      (mod as unknown as { require: unknown }).require = inner;
      (mod as unknown as { _compile(code: string, file: string): void })._compile(code, filename);
      this.sideModules.set(filename, mod);
      return mod.exports;
    };
    const wrapped = (id: string): unknown => (id.startsWith(".") ? (fromSide(id) ?? req(id)) : req(id));
    return Object.assign(wrapped, { resolve: (id: string) => require.resolve(id, { paths: [dirname] }) });
  }

  private updateSideOutputs(outs: SideOutput[]): void {
    for (const out of outs) {
      this.sideModules.delete(out.path);
      this.sideOutputs.set(out.path, out.js);
    }
  }

  /**
   * Type-checks and runs a cell. Never throws: user errors (type errors, exceptions, rejections,
   * interrupts) come back as an `error` outcome.
   */
  async execute(code: string, count: number, parent: unknown): Promise<Outcome> {
    const ctx: CellContext = { count, controller: new AbortController(), parent, epoch: this.seenEpoch };
    this.running = ctx;
    this.lastContext = ctx;
    try {
      return await this.context.run(ctx, () => this.executeIn(code, ctx));
    } finally {
      ctx.done = true;
      this.running = undefined;
      this.rejectRunning = undefined;
    }
  }

  private async executeIn(code: string, ctx: CellContext): Promise<Outcome> {
    const label = ctx.count > 0 ? `Cell In[${ctx.count}]` : "Cell";
    let converted;
    try {
      converted = this.converter.convert(this.prevDecl, code);
    } catch (err) {
      return {
        status: "error",
        ename: "InternalError",
        evalue: `The TypeScript converter failed: ${(err as Error).message}`,
        traceback: [String((err as Error).stack)],
      };
    }
    this.updateSideOutputs(converted.sideOutputs);
    if (converted.diagnostics.length > 0) return typeErrorOutcome(converted.diagnostics, code, label);
    if (!converted.js) {
      this.prevDecl = converted.declarations;
      return { status: "ok", hasValue: false };
    }
    // Load the cell's imports first (ES modules evaluate imports before their body), then let the
    // asynchronous set-up they asked for (awaitBeforeCell) finish, so the cell's code sees it done.
    if (converted.imports.length > 0) {
      try {
        this.preload(converted.imports);
      } catch (err) {
        return { status: "error", ...this.describeError(err) };
      }
    }
    const waited = await this.settleAwaited(ctx);
    if (waited) return waited;
    const fileId = ++this.fileCounter;
    this.sources.set(fileId, {
      label,
      code,
      jsLines: converted.js.split("\n").length,
      map: converted.sourceMap ? new SourceMap(JSON.parse(converted.sourceMap)) : undefined,
      insertions: converted.insertions,
    });
    if (this.sources.size > 500) this.sources.delete(this.sources.keys().next().value as number);
    const cell: { last?: unknown } = {};
    (globalThis as unknown as { __trainlab__: Record<string, unknown> }).__trainlab__.cell = cell;
    const wrapped =
      `(${converted.hasTopLevelAwait ? "async " : ""}function (exports, require, ${CELL_CONTEXT}) {\n` +
      converted.js +
      `\n})(__trainlab__.exports, __trainlab__.require, __trainlab__.cell)`;
    const hasLast = /\b__trainlab_cell__\.last\s*=/.test(converted.js);
    try {
      const ret = this.tasks.underSigint(() =>
        vm.runInThisContext(wrapped, { filename: `trainlab-cell-${fileId}.js`, lineOffset: -1, breakOnSigint: true }),
      );
      // Declarations of a cell count once its synchronous part ran, even if it later fails.
      this.prevDecl = converted.declarations;
      if (converted.hasTopLevelAwait) {
        const interrupted = new Promise<never>((_, reject) => (this.rejectRunning = reject));
        if (ctx.controller.signal.aborted) this.rejectRunning?.(new InterruptedError());
        await Promise.race([ret, interrupted]);
      }
    } catch (err) {
      if (ctx.cancelled) {
        // Interrupted while awaiting: what it left running (a training loop between batches) winds down first.
        this.prevDecl = converted.declarations;
        await this.tasks.cancel(ctx);
        return {
          status: "error",
          ...this.describeError(err instanceof InterruptedError ? err : new InterruptedError()),
        };
      }
      this.prevDecl = converted.declarations;
      const error = this.describeError(err);
      if (error.ename === "Interrupted") {
        // Nothing of the cell may run after its Interrupted reply: stop what it left running first.
        this.interrupt();
        await this.tasks.cancel(ctx);
      } else await this.settleAwaited(ctx);
      return { status: "error", ...error };
    }
    // Set-up the cell started (e.g. a dynamic import) finishes within the cell, never in a later one.
    const after = await this.settleAwaited(ctx);
    if (after) return after;
    if (!hasLast) return { status: "ok", hasValue: false };
    return { status: "ok", hasValue: cell.last !== undefined, value: cell.last };
  }

  /**
   * Registers asynchronous set-up that must finish before cell code uses it: the kernel awaits it
   * after loading the imports of the cell that caused it and before running that cell's code (when it
   * is registered while the cell's code runs, before the cell's reply). A library calls this when it
   * starts initialising itself as it is imported. If the promise rejects, the cell fails with its error.
   */
  awaitBeforeCell(promise: PromiseLike<unknown>): void {
    const settled = Promise.resolve(promise);
    settled.catch(() => undefined); // reported by the cell that waits for it
    this.awaited.push(settled);
  }

  /**
   * Registers a listener called with each module a cell imports (specifier, exports), once the cell's imports have
   * loaded and before its code runs: the explicit way for a library to react to another library a cell imports
   * (trainlab gives danfojs frames their display bundles), instead of patching Node's module loader.
   */
  onImport(listener: (specifier: string, exports: unknown) => void): void {
    this.importListeners.push(listener);
  }

  /**
   * Requires modules like the cell's own `require`, under SIGINT protection (a module's top level can loop), then
   * tells the import listeners (a listener's error is the cell's error).
   */
  private preload(ids: string[]): void {
    const trainlab = (globalThis as unknown as { __trainlab__: Record<string, unknown> }).__trainlab__;
    trainlab.preload = ids;
    let loaded: unknown[];
    try {
      loaded = this.tasks.underSigint(() =>
        vm.runInThisContext("__trainlab__.preload.map((id) => __trainlab__.require(id));", {
          filename: "trainlab-imports.js",
          breakOnSigint: true,
        }),
      ) as unknown[];
    } finally {
      delete trainlab.preload;
    }
    for (const listener of [...this.importListeners]) ids.forEach((id, i) => listener(id, loaded[i]));
  }

  /** Awaits the promises registered with {@link awaitBeforeCell}; an error outcome if one rejects or the user interrupts. */
  private async settleAwaited(ctx: CellContext): Promise<Outcome | undefined> {
    while (this.awaited.length > 0) {
      const batch = this.awaited.splice(0);
      const interrupted = new Promise<never>((_, reject) => (this.rejectRunning = reject));
      interrupted.catch(() => undefined);
      if (ctx.controller.signal.aborted) this.rejectRunning?.(new InterruptedError());
      try {
        await Promise.race([Promise.all(batch), interrupted]);
      } catch (err) {
        return { status: "error", ...this.describeError(err) };
      } finally {
        this.rejectRunning = undefined;
      }
    }
    return undefined;
  }

  /**
   * Interrupts: aborts the running cell's signal and rejects its await (its reply waits until what it
   * left running is stopped), and cancels the work earlier cells left behind (timers, intervals,
   * pending awaits). Returns false when no cell was running.
   */
  interrupt(newRequest = false): boolean {
    // The control thread moves the shared epoch before it asks; a request from elsewhere moves it here.
    if (newRequest) Atomics.add(this.epochs, 0, 1);
    const epoch = Atomics.load(this.epochs, 0);
    this.seenEpoch = epoch;
    this.tasks.processedEpoch = epoch;
    this.cancelLeftovers();
    const ctx = this.running;
    // A cell that started after the request (a late duplicate of it) is left alone.
    if (!ctx || ctx.epoch >= epoch) return false;
    ctx.cancelled = true;
    ctx.controller.abort(new InterruptedError());
    this.rejectRunning?.(new InterruptedError());
    return true;
  }

  /** Cancels the work cells started before the last interrupt left behind, and a timer callback that was ended from outside. */
  private cancelLeftovers(): void {
    const stuck = this.tasks.executing;
    if (stuck) {
      // A timer callback was ended from outside while it ran (its `finally` never ran): stop its cell's work.
      this.tasks.executing = undefined;
      stuck.cancelled = true;
    }
    for (const p of this.tasks.cancelStale(this.running)) p.catch(() => undefined);
  }

  /** The running cell's AbortSignal (or that of the cell whose asynchronous work is calling). */
  signal(): AbortSignal {
    // The cell that started the calling work, even after it finished: an interrupted training stays stopped.
    const ctx = this.context.getStore() ?? this.running ?? this.lastContext;
    return (ctx ?? { controller: new AbortController() }).controller.signal;
  }

  /** Completion candidates at `cursor`. */
  complete(code: string, cursor: number): Completion {
    return this.converter.complete(this.prevDecl, code, cursor);
  }

  /** Type and docs of the symbol at `cursor`. */
  inspect(code: string, cursor: number): QuickInfo | undefined {
    return this.converter.inspect(this.prevDecl, code, cursor);
  }

  /** complete / incomplete / invalid. */
  isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
    return this.converter.isComplete(code);
  }

  /** Forgets all cell variables and declarations. */
  reset(): void {
    this.prevDecl = "";
    for (const key of Reflect.ownKeys(this.store)) delete this.store[key];
  }

  /** Maps a stack trace's cell frames (`trainlab-cell-N.js:L:C`) to the cells' own lines and drops kernel frames. */
  mapStack(stack: string): string[] {
    return this.errors.mapStack(stack);
  }

  /** Turns anything thrown by user code into Jupyter's ename / evalue / traceback. Never throws (an error whose getters throw gets a plain description). */
  describeError(err: unknown): CellError {
    return this.errors.describeError(err);
  }
}
