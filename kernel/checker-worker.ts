/**
 * The checker thread's entry (see kernel/checker.ts): loads TypeScript, builds the first program (and
 * parses the declarations of the project's own package, which notebooks import first), then serves
 * Converter calls from the main thread, one at a time, flagging each reply on the shared buffer.
 */
import * as fs from "fs";
import * as path from "path";
import { workerData } from "worker_threads";
import type { CheckerReply, CheckerRequest, CheckerWorkerData } from "./checker";
import { SLOT_ASKED, SLOT_REPLY, SLOT_STATE } from "./checker";
import { requireWithCodeCache } from "./code-cache";

const data = workerData as CheckerWorkerData;
const flags = new Int32Array(data.flags);
const signal = (slot: number, value: number): void => {
  Atomics.store(flags, slot, value);
  Atomics.notify(flags, slot);
};
process.on("exit", () => signal(SLOT_REPLY, 2));

Atomics.store(flags, SLOT_STATE, 1);

// TypeScript's compiler is loaded first, with V8's code cache (code-cache.ts); the converter's `require` gets it.
const compiler = requireWithCodeCache<typeof import("typescript")>("typescript", __dirname);
const { Converter, isComplete } = require("./converter") as typeof import("./converter");
const converter = new Converter(data.cwd, data.fallbackRoot);

/** The name of the project the kernel serves (its package.json), whose declarations notebooks load first. */
function projectPackage(): string | undefined {
  if (!data.fallbackRoot) return undefined;
  try {
    return (JSON.parse(fs.readFileSync(path.join(data.fallbackRoot, "package.json"), "utf8")) as { name?: string })
      .name;
  } catch {
    return undefined;
  }
}

// The warm-up runs step by step; a request that arrives meanwhile is served at the next step boundary, and the
// remaining steps resume once the thread is idle again (a cell that needs a step's work does it itself meanwhile).
const steps = converter.warmUpSteps(projectPackage());
let cacheSaved = false;
const asked = (): boolean => Atomics.load(flags, SLOT_ASKED) === 1;
function warmUp(): void {
  try {
    while (steps.length > 0 && !asked()) (steps.shift() as () => void)();
  } catch (err) {
    steps.length = 0;
    process.stderr.write(`[trainlab kernel] type checker warm-up failed: ${(err as Error).stack}\n`);
  }
  if (steps.length === 0) {
    Atomics.store(flags, SLOT_STATE, 2);
    // Written once warm, off the warm-up's path (the thread is idle by then).
    if (!cacheSaved) setImmediate(() => compiler.save());
    cacheSaved = true;
  }
}
warmUp();

data.port.on("message", (request: CheckerRequest) => {
  let reply: CheckerReply;
  try {
    const a = request.args;
    let value: unknown;
    switch (request.method) {
      case "convert":
        value = converter.convert(a[0] as string, a[1] as string);
        break;
      case "complete":
        value = converter.complete(a[0] as string, a[1] as string, a[2] as number);
        break;
      case "inspect":
        value = converter.inspect(a[0] as string, a[1] as string, a[2] as number);
        break;
      case "isComplete":
        value = isComplete(a[0] as string);
        break;
    }
    reply = { ok: true, value };
  } catch (err) {
    reply = { ok: false, message: (err as Error).message ?? String(err), stack: (err as Error).stack };
  }
  // Cleared before the reply: the main thread sets it again for its next request.
  Atomics.store(flags, SLOT_ASKED, 0);
  data.port.postMessage(reply);
  signal(SLOT_REPLY, 1);
  if (steps.length > 0) setImmediate(warmUp);
});
