/**
 * Loads TypeScript's compiler (one 9 MB CommonJS file) with V8's code cache, so the type checker's thread does not
 * compile it from source in every kernel: about 100 ms of each kernel's start. The cache is V8's own
 * (`vm.Script` `cachedData`): V8 checks it against its version, its flags and the source, and rejects any cache that
 * does not match, in which case the file is compiled from source as Node would. It lives in the user's cache
 * folder (`$XDG_CACHE_HOME/trainlab` or `~/.cache/trainlab`), is written once the compiler has warmed up (so it
 * holds the functions the warm-up compiled), to a temporary sibling renamed into place, and never by a process that
 * found a valid one. Any failure to read or write it only costs the time it would have saved.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import Module from "module";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";

/** A module loaded through the code cache; `save()` writes the cache if this process had none. */
export interface CachedModule<T> {
  exports: T;
  /** How the code cache was used: "used", "rejected" (stale or corrupt), "missing" or "off" (no cache folder). */
  cache: "used" | "rejected" | "missing" | "off";
  /** Writes the cache (after a warm-up, so it covers what ran); does nothing when a valid one was used. Never throws. */
  save(): void;
}

/** The folder for trainlab's caches, or undefined when there is no home to put it in. */
export function cacheFolder(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : "");
  return base ? path.join(base, "trainlab") : undefined;
}

/**
 * Loads `id` (a CommonJS module resolved from `from`) compiled with the code cache, and registers it in
 * `require.cache`, so that later `require(id)` calls get this same instance. If the module is already loaded,
 * returns it as it is. Throws what `require` would: the module cannot be found, or its code throws.
 */
export function requireWithCodeCache<T>(id: string, from: string, folder = cacheFolder()): CachedModule<T> {
  const file = require.resolve(id, { paths: [from] });
  const loaded = require.cache[file];
  if (loaded?.loaded) return { exports: loaded.exports as T, cache: "off", save: () => undefined };
  const source = fs.readFileSync(file, "utf8");
  // The file's identity as `make` sees it (an npm install or upgrade writes a new file: a new inode and date). V8
  // itself only checks the source's length, so a cache is never matched to another file's content.
  const { size, mtimeMs, ino } = fs.statSync(file);
  const stamp = crypto
    .createHash("sha256")
    .update([file, size, mtimeMs, ino, process.version, process.arch].join("\0"))
    .digest("hex")
    .slice(0, 24);
  const prefix = `${path.basename(file, ".js")}-`;
  const cacheFile = folder ? path.join(folder, `${prefix}${stamp}.v8cache`) : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const cache = !cacheFile ? "off" : !cachedData ? "missing" : script.cachedDataRejected ? "rejected" : "used";
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const localRequire = Object.assign((request: string) => mod.require(request), {
    resolve: (request: string) => require.resolve(request, { paths: [path.dirname(file)] }),
    cache: require.cache,
  });
  require.cache[file] = mod;
  try {
    wrapper.call(mod.exports, mod.exports, localRequire, mod, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  mod.loaded = true;
  const save = (): void => {
    if (!folder || !cacheFile || cache === "used") return;
    const temporary = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
    const stale = (name: string): boolean =>
      name.startsWith(prefix) && name.endsWith(".v8cache") && name !== path.basename(cacheFile);
    try {
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
      // Caches of other versions of the same file (an upgraded TypeScript, another Node) are of no more use.
      for (const name of fs.readdirSync(folder)) if (stale(name)) fs.rmSync(path.join(folder, name), { force: true });
    } catch {
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // the folder itself is not there: nor is the temporary file
      }
    }
  };
  return { exports: mod.exports as T, cache, save };
}
