/**
 * Registers (or removes) the trainlab kernelspec with Jupyter.
 *
 *   node dist/kernel/install.js install [--user|--sys-prefix] [--quiet]
 *   node dist/kernel/install.js uninstall [--user|--sys-prefix]
 *
 * Inside a conda env or virtualenv it installs with `--sys-prefix`, elsewhere with `--user`.
 * Re-running is harmless: the spec is replaced in place. Uninstall removes the spec from the place
 * install writes to for the same scope, and nowhere else (`jupyter kernelspec remove` would take the
 * first "trainlab" on Jupyter's whole search path, which may be another environment's or user's).
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

/** Where Jupyter installs user-wide (`--user`) or into the running environment (`--sys-prefix`). */
export type Scope = "--user" | "--sys-prefix";

function scopeFlag(args: string[]): Scope {
  if (args.includes("--user")) return "--user";
  if (args.includes("--sys-prefix")) return "--sys-prefix";
  return process.env.CONDA_PREFIX || process.env.VIRTUAL_ENV ? "--sys-prefix" : "--user";
}

/**
 * The folder the trainlab kernelspec goes to for a scope, as jupyter_client computes it
 * (`jupyter_data_dir()/kernels/trainlab`, or `sys.prefix/share/jupyter/kernels/trainlab`).
 * @throws Error when the Jupyter Python cannot be run.
 */
export function kernelSpecDir(scope: Scope): string {
  const code =
    scope === "--user"
      ? "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"
      : "import os, sys; print(os.path.join(sys.prefix, 'share', 'jupyter'))";
  try {
    const base = execFileSync(jupyterPython(), ["-c", code], { stdio: ["ignore", "pipe", "pipe"] })
      .toString()
      .trim();
    return path.join(base, "kernels", KERNEL_NAME);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `Could not ask ${jupyterPython()} where Jupyter keeps kernelspecs: ${e.stderr?.toString().trim() || e.message}`,
      { cause: err },
    );
  }
}

/**
 * Writes the kernelspec to a temporary folder and installs it with `jupyter kernelspec install`.
 * Returns the folder it now lives in.
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
    execFileSync(
      jupyterPython(),
      ["-m", "jupyter", "kernelspec", "install", "--replace", "--name", KERNEL_NAME, scope, specDir],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    return kernelSpecDir(scope);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `Could not register the trainlab kernel with ${jupyterPython()}: ${e.stderr?.toString().trim() || e.message}\n` +
        `Install Jupyter (Debian: apt-get install jupyter-client jupyter-nbconvert python3-nbclient; conda: conda env create -f environment.yml) and run npm run kernel:install again.`,
      { cause: err },
    );
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** What {@link uninstall} did. */
export interface Removal {
  /** Whether a spec was there and is now gone. */
  removed: boolean;
  /** The folder it looked in (the one install writes to for the scope). */
  dir: string;
}

/**
 * Removes the kernelspec from where {@link install} puts it for the same scope (same flags and
 * defaults). Removing one that is not installed is not an error.
 * @throws Error when Jupyter cannot be run, or the folder holds no kernel.json (then it is left alone).
 */
export function uninstall(args: string[] = []): Removal {
  const dir = kernelSpecDir(scopeFlag(args));
  if (!fs.existsSync(dir)) return { removed: false, dir };
  if (!fs.existsSync(path.join(dir, "kernel.json"))) {
    throw new Error(
      `${dir} holds no kernel.json, so it is not a kernelspec; it was left alone. Remove it by hand if it is yours.`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { removed: true, dir };
}

if (require.main === module) {
  const [command = "install", ...rest] = process.argv.slice(2);
  const quiet = rest.includes("--quiet");
  try {
    if (command === "install") {
      const where = install(rest);
      if (!quiet) console.log(`Installed kernelspec "${KERNEL_NAME}" (${DISPLAY_NAME}) in ${where}`);
    } else if (command === "uninstall") {
      const { removed, dir } = uninstall(rest);
      console.log(
        removed
          ? `Removed kernelspec "${KERNEL_NAME}" from ${dir}.`
          : `Kernelspec "${KERNEL_NAME}" was not installed in ${dir}.`,
      );
    } else {
      throw new Error(`Unknown command "${command}". Use install or uninstall.`);
    }
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
