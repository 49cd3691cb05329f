/**
 * The suite's timeouts catch hangs, never slowness, and a hung spec cannot leak work into the specs after it.
 * A child mocha runs a fixture with the real root hooks and a 300 ms hang floor; a spec that never settles is
 * a hang whatever the machine's speed, so nothing here depends on wall-clock time.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..", "..");

describe("test-suite timeouts", () => {
  it("raise every requested timeout to the hang floor, and stop the run after a hang instead of running on beside it", () => {
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-hang-")), "marker.txt");
    fs.writeFileSync(marker, "");
    const child = spawnSync(
      process.execPath,
      [
        path.join(root, "node_modules", "mocha", "bin", "mocha.js"),
        "--no-config",
        "--require",
        path.join(root, "dist", "tests", "hooks.js"),
        path.join(root, "dist", "tests", "support", "fixtures", "hang.spec.js"),
      ],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TRAINLAB_TEST_HANG_MS: "300", TRAINLAB_HANG_MARKER: marker },
      },
    );
    const log = fs.readFileSync(marker, "utf8");
    fs.rmSync(path.dirname(marker), { recursive: true, force: true });
    assert.notEqual(child.status, 0, "a hang fails the run");
    assert.match(log, /^timeout 300$/m, "a suite's 5 ms timeout was raised to the floor");
    assert.doesNotMatch(log, /ran after the hang/, "no spec runs beside the hung one");
    assert.match(child.stdout, /never finishes/);
    assert.match(child.stdout, /hung past 300 ms/);
    assert.match(child.stdout, /1 passing/);
  });
});
