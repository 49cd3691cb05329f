/**
 * The kernel against jupyter_kernel_test, the Jupyter project's own protocol suite.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { kernelName, privateHistoryFile, projectRoot, python } from "./client";

describe("kernel: jupyter_kernel_test protocol suite", function () {
  this.timeout(120_000);

  it("passes every test of jupyter_kernel_test with all samples configured and nothing skipped", () => {
    const run = spawnSync(python, ["-m", "unittest", "-v", path.join("tests", "kernel", "test_protocol.py")], {
      cwd: projectRoot,
      encoding: "utf8",
      env: { ...process.env, TRAINLAB_TEST_KERNEL: kernelName, TRAINLAB_HISTORY_FILE: privateHistoryFile() },
      timeout: 110_000,
    });
    const log = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, log);
    assert.match(log, /\nOK\s*$/m, log);
    assert.doesNotMatch(log, /skipped/i, log);
    for (const name of [
      "kernel_info",
      "execute_stdout",
      "execute_stderr",
      "completion",
      "is_complete",
      "error",
      "execute_result",
      "display_data",
      "history",
      "inspect",
      "clear_output",
      "pager",
    ]) {
      assert.match(log, new RegExp(`test_${name} .* \\.\\.\\. ok`), `test_${name} did not pass:\n${log}`);
    }
  });
});
