/**
 * Registers (or removes) the trainlab kernelspec with Jupyter.
 *
 *   node dist/kernel/install.js install [--user|--sys-prefix] [--quiet]
 *   node dist/kernel/install.js uninstall
 *
 * Inside a conda env or virtualenv it installs with `--sys-prefix`, elsewhere with `--user`.
 * Re-running is harmless: the spec is replaced in place.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The kernel's registered name, as notebooks' metadata refer to it. */
export const KERNEL_NAME = "trainlab";
/** The name users see in the launcher. */
export const DISPLAY_NAME = "TypeScript (trainlab)";

const projectRoot = path.resolve(__dirname, "..", "..");

/** The Python that runs Jupyter: $TRAINLAB_PYTHON, the one set-up found, or /usr/bin/python3. */
export function jupyterPython(): string {
  if (process.env.TRAINLAB_PYTHON) return process.env.TRAINLAB_PYTHON;
  const recorded = path.join(projectRoot, "dist", "python-path");
  if (fs.existsSync(recorded)) return fs.readFileSync(recorded, "utf8").trim();
  if (process.env.CONDA_PREFIX) return path.join(process.env.CONDA_PREFIX, "bin", "python");
  return "/usr/bin/python3";
}

/** The kernel.json trainlab registers. */
export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(projectRoot, "dist", "kernel", "main.js"), "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    env: { TRAINLAB_PROJECT: projectRoot },
    metadata: { debugger: false, trainlab: { project: projectRoot } },
  };
}

function scopeFlag(args: string[]): "--user" | "--sys-prefix" {
  if (args.includes("--user")) return "--user";
  if (args.includes("--sys-prefix")) return "--sys-prefix";
  return process.env.CONDA_PREFIX || process.env.VIRTUAL_ENV ? "--sys-prefix" : "--user";
}

/**
 * Writes the kernelspec to a temporary folder and installs it with `jupyter kernelspec install`.
 * @throws Error with the command's output when Jupyter is missing or refuses.
 */
export function install(args: string[] = []): string {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "trainlab-kernelspec-"));
  const specDir = path.join(staging, KERNEL_NAME);
  fs.mkdirSync(specDir);
  fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2));
  const assets = path.join(projectRoot, "kernel", "assets");
  for (const logo of fs.readdirSync(assets)) fs.copyFileSync(path.join(assets, logo), path.join(specDir, logo));
  try {
    const scope = scopeFlag(args);
    execFileSync(jupyterPython(), ["-m", "jupyter", "kernelspec", "install", "--replace", "--name", KERNEL_NAME, scope, specDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const where = execFileSync(jupyterPython(), ["-c", `import jupyter_client.kernelspec as k; print(k.KernelSpecManager().get_kernel_spec("${KERNEL_NAME}").resource_dir)`])
      .toString()
      .trim();
    return where;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `Could not register the trainlab kernel with ${jupyterPython()}: ${e.stderr?.toString().trim() || e.message}\n` +
        `Install Jupyter (Debian: apt-get install jupyter-client jupyter-nbconvert python3-nbclient; conda: conda env create -f environment.yml) and run npm run kernel:install again.`,
    );
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Removes the kernelspec. Removing one that is not installed is not an error.
 * @throws Error when Jupyter cannot be run.
 */
export function uninstall(): boolean {
  try {
    execFileSync(jupyterPython(), ["-m", "jupyter", "kernelspec", "remove", "-y", KERNEL_NAME], { stdio: ["ignore", "pipe", "pipe"] });
    return true;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    if (/No such kernel|Couldn't find kernel spec/i.test(stderr)) return false;
    throw new Error(`Could not remove the trainlab kernel: ${stderr.trim() || (err as Error).message}`);
  }
}

if (require.main === module) {
  const [command = "install", ...rest] = process.argv.slice(2);
  const quiet = rest.includes("--quiet");
  try {
    if (command === "install") {
      const where = install(rest);
      if (!quiet) console.log(`Installed kernelspec "${KERNEL_NAME}" (${DISPLAY_NAME}) in ${where}`);
    } else if (command === "uninstall") {
      console.log(uninstall() ? `Removed kernelspec "${KERNEL_NAME}".` : `Kernelspec "${KERNEL_NAME}" was not installed.`);
    } else {
      throw new Error(`Unknown command "${command}". Use install or uninstall.`);
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
