/**
 * `npm run kernel:install` and `npm run kernel:uninstall`, run as a user runs them, against the real
 * Jupyter (`jupyter kernelspec list`). Everything happens in a temporary JUPYTER_DATA_DIR with `--user`,
 * and uninstall removes only the spec install wrote there, so a kernelspec the machine's user (or a
 * conda env) registered is never touched: the test checks it is still listed, unchanged, afterwards.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DISPLAY_NAME, KERNEL_NAME } from "../../kernel/install";
import { projectRoot, python } from "./client";

interface Listed {
  resource_dir: string;
  spec: { display_name: string; argv: string[] };
}

describe("kernel: npm run kernel:install / kernel:uninstall", function () {
  this.timeout(120_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-jupyter-data-"));
    env = { ...process.env, JUPYTER_DATA_DIR: dataDir, TRAINLAB_PYTHON: python };
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const npmRun = (script: string, ...args: string[]): string => {
    const run = spawnSync("npm", ["run", "--silent", script, "--", ...args], {
      cwd: projectRoot,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `npm run ${script} failed:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  };
  /** What `jupyter kernelspec list` shows for "trainlab" (the first on Jupyter's search path), if anything. */
  const listed = (): Listed | undefined =>
    (
      JSON.parse(
        execFileSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], {
          env,
          stdio: ["ignore", "pipe", "ignore"],
        }).toString(),
      ) as { kernelspecs: Record<string, Listed> }
    ).kernelspecs[KERNEL_NAME];
  const files = (dir: string): Record<string, string> =>
    Object.fromEntries(
      fs
        .readdirSync(dir)
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]),
    );

  it("installs into JUPYTER_DATA_DIR, twice harmlessly, uninstalls only that spec (gone from the list), and re-installs", () => {
    const target = path.join(dataDir, "kernels", KERNEL_NAME);
    // Whatever the machine already registers elsewhere (another user-level or system spec), untouched throughout.
    const background = listed();
    assert.ok(!background || !background.resource_dir.startsWith(dataDir));

    assert.match(
      npmRun("kernel:install", "--user"),
      new RegExp(`Installed kernelspec "${KERNEL_NAME}" \\(${DISPLAY_NAME.replace(/[()]/g, "\\$&")}\\) in ${target}`),
    );
    const first = listed();
    assert.ok(first, "the kernel is listed after install");
    assert.equal(path.resolve(first.resource_dir), target);
    assert.equal(first.spec.display_name, DISPLAY_NAME);
    assert.equal(first.spec.argv[1], path.join(projectRoot, "dist", "kernel", "main.js"));
    const installed = files(target);
    assert.ok("kernel.json" in installed && "logo-64x64.png" in installed, Object.keys(installed).join(", "));

    npmRun("kernel:install", "--user");
    assert.deepEqual(fs.readdirSync(path.join(dataDir, "kernels")), [KERNEL_NAME], "installing twice leaves one spec");
    assert.deepEqual(files(target), installed, "installing twice leaves the same files");
    assert.deepEqual(listed(), first);

    assert.match(
      npmRun("kernel:uninstall", "--user"),
      new RegExp(`Removed kernelspec "${KERNEL_NAME}" from ${target}\\.`),
    );
    assert.equal(fs.existsSync(target), false);
    const after = listed();
    assert.ok(!after || !after.resource_dir.startsWith(dataDir), "our spec is gone from jupyter kernelspec list");
    assert.deepEqual(after, background, "any other trainlab spec is still listed, unchanged");
    assert.match(npmRun("kernel:uninstall", "--user"), /was not installed in/, "uninstalling again is harmless");
    assert.deepEqual(listed(), background);

    npmRun("kernel:install", "--user");
    assert.deepEqual(listed(), first, "re-installed as before");
    assert.deepEqual(files(target), installed);
  });
});
