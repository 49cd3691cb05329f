/**
 * Mocha root hooks for the whole suite.
 *
 * - Every spec runs with the backend trainlab's chain picks, as a notebook does after `await ensureBackend()`.
 *   Without this, a spec that touches tfjs before any other spec chose a backend would depend on which test
 *   files happened to import @tensorflow/tfjs-backend-wasm.
 * - Timeouts detect hangs, never slowness: every timeout a suite, spec or hook asks for is raised to at least
 *   `$TRAINLAB_TEST_HANG_MS` (15 minutes by default), so a busy or slow machine cannot fail work that is merely
 *   slow. A timeout of 0 (none) is kept.
 * - A spec that still times out has left its work running (mocha cannot cancel a promise): tensors, timers,
 *   kernels. Rather than let that work leak into the next spec's assertions, the root `afterEach` hook fails,
 *   which makes mocha skip every remaining spec and print its summary with the timed-out spec named.
 */
import Mocha from "mocha";
import { ensureBackend } from "../lib/backend";

/** The smallest timeout any suite, spec or hook gets, in milliseconds: long enough that only a hang reaches it. */
export const HANG_TIMEOUT_MS = Number(process.env.TRAINLAB_TEST_HANG_MS ?? 15 * 60_000);

/** A requested timeout raised to the hang floor (0, meaning none, stays 0). */
function atLeastHangFloor(ms: string | number): number {
  const n = typeof ms === "string" ? Number.parseFloat(ms) * (/\d\s*s$/.test(ms) ? 1000 : 1) : ms;
  return n === 0 ? 0 : Math.max(n, HANG_TIMEOUT_MS);
}

for (const proto of [Mocha.Runnable.prototype, Mocha.Suite.prototype] as Array<{
  timeout: (ms?: string | number) => unknown;
}>) {
  const timeout = proto.timeout;
  proto.timeout = function (this: unknown, ms?: string | number) {
    return ms === undefined ? timeout.call(this) : timeout.call(this, atLeastHangFloor(ms));
  };
}

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await ensureBackend();
  },
  afterEach(this: Mocha.Context): void {
    const spec = this.currentTest as (Mocha.Test & { timedOut?: boolean }) | undefined;
    if (spec?.timedOut) {
      throw new Error(
        `"${spec.fullTitle()}" hung past ${spec.timeout()} ms and may still be running; ` +
          "the remaining specs are skipped so its work cannot leak into them",
      );
    }
  },
};
