/**
 * A kernel never outlives the process that started it (as ipykernel's parent poller): a real
 * jupyter_client parent starts a real kernel and is killed with SIGKILL (no chance to clean up); the
 * kernel notices (JPY_PARENT_PID is gone, it was re-parented) and exits by itself.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { kernelName, projectRoot, python } from "./client";

const PARENT = String.raw`
import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel(cwd=sys.argv[2], stdout=sys.stderr.fileno())
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
print(km.provisioner.process.pid, flush=True)
time.sleep(3600)
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("kernel: exits when the process that started it dies", function () {
  this.timeout(180_000);

  it("a parent killed with SIGKILL leaves no kernel behind", async () => {
    const parent = spawn(python, ["-c", PARENT, kernelName, path.join(projectRoot, "tests", "fixtures")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const kernelPid = await new Promise<number>((resolve, reject) => {
      readline.createInterface({ input: parent.stdout }).once("line", (l) => resolve(Number(l)));
      parent.once("exit", () => reject(new Error("the parent exited before the kernel was ready")));
    });
    assert.ok(alive(kernelPid), "the kernel runs");
    parent.kill("SIGKILL");
    // Generous: the kernel checks about once a second; only "it never exits" must fail.
    const deadline = Date.now() + 60_000;
    while (alive(kernelPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const left = alive(kernelPid);
    if (left) process.kill(kernelPid, "SIGKILL");
    assert.equal(left, false, "the orphaned kernel exited by itself");
  });
});
