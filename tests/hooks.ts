/**
 * Mocha root hooks: every spec runs with the backend trainlab's chain picks, as a notebook does
 * after `await ensureBackend()`. Without this, a spec that touches tfjs before any other spec chose
 * a backend would depend on which test files happened to import @tensorflow/tfjs-backend-wasm.
 */
import { ensureBackend } from "../lib/backend";

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await ensureBackend();
  },
};
