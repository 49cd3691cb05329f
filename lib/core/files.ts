/**
 * The one atomic writer of the library, for files and folders. A file is written to a temporary sibling, synced and
 * renamed over the old one, so a reader finds the old or the new file, never half of one. A folder is filled under a
 * temporary name, then the old one is renamed aside, the new one renamed in and the old one removed: should the
 * process die between the two renames, the next write (or {@link recoverAtomicWrites}) puts the old folder back, so a
 * complete version always exists on disk. Temporaries of dead processes are removed on the next write into the folder.
 * Readers of such folders go through {@link readableDir}, which finds that complete version when a reader looks
 * between the two renames.
 */
import * as fs from "fs";
import * as path from "path";

/** `.<name>.<tmp|old>-<pid>-<random>`: the names of this module's temporaries (the dot keeps them out of listings). */
const TEMPORARY = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-z]+$/;

function temporaryName(target: string, kind: "tmp" | "old"): string {
  const random = Math.random().toString(36).slice(2, 10) || "0";
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${random}`);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Cleans up after writes that a dead process left half done in `folder`: its temporaries are removed, and a folder it
 * had renamed aside is put back when nothing has replaced it. Temporaries of live processes are left alone.
 * Returns the names it removed or restored. Never throws for a missing folder.
 */
export function recoverAtomicWrites(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const done: string[] = [];
  // Temporaries first, so that a restored old folder is never mistaken for one.
  for (const kind of ["tmp", "old"]) {
    for (const name of names) {
      const m = TEMPORARY.exec(name);
      if (!m || m[2] !== kind || processAlive(Number(m[3]))) continue;
      const file = path.join(folder, name);
      const target = path.join(folder, m[1]);
      try {
        if (kind === "old" && !fs.existsSync(target)) fs.renameSync(file, target);
        else fs.rmSync(file, { recursive: true, force: true });
        done.push(name);
      } catch {
        // Another process may be recovering the same folder; whatever it left is handled on a later write.
      }
    }
  }
  return done;
}

function syncPath(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function syncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(file);
    else if (entry.isFile()) syncPath(file);
  }
  syncPath(dir);
}

function prepare(target: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  recoverAtomicWrites(path.dirname(target));
}

/**
 * Writes `content` (text as UTF-8, or bytes) to `file` atomically: a synced temporary sibling renamed over it.
 * Creates the parent folders. Returns the absolute path.
 * @throws Error naming the file when it cannot be written (the temporary file is removed, the old file is kept).
 */
export function writeFileAtomically(file: string, content: string | Uint8Array): string {
  const target = path.resolve(file);
  let tmp: string | undefined;
  try {
    prepare(target);
    tmp = temporaryName(target, "tmp");
    const fd = fs.openSync(tmp, "wx");
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    tmp = undefined;
    syncPath(path.dirname(target));
    return target;
  } catch (err) {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
    throw new Error(`Could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Writes `value` as pretty JSON (2-space indent, final newline) to `file` atomically, as {@link writeFileAtomically}.
 * @throws Error naming the file when it cannot be written.
 */
export function saveJsonAtomically(file: string, value: unknown): void {
  writeFileAtomically(file, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Writes a folder atomically: `write` fills a fresh temporary sibling folder, which then replaces `dir` (the old
 * folder is renamed aside, the new one renamed in, the old one removed). A failure in `write` leaves the old folder
 * as it was and no temporary behind; a crash between the renames is repaired by the next write into the parent.
 * @throws the error of `write` unchanged, or an Error naming the folder when it cannot be written or replaced.
 */
export async function writeDirAtomically(dir: string, write: (tmp: string) => Promise<void> | void): Promise<void> {
  const target = path.resolve(dir);
  let tmp: string;
  try {
    prepare(target);
    tmp = temporaryName(target, "tmp");
    fs.mkdirSync(tmp);
  } catch (err) {
    throw new Error(`Could not write ${dir}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await write(tmp);
    syncTree(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  replaceDir(tmp, target, dir);
}

function replaceDir(tmp: string, target: string, dir: string): void {
  let aside: string | undefined;
  try {
    if (fs.existsSync(target)) {
      aside = temporaryName(target, "old");
      fs.renameSync(target, aside);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    // Put the old folder back before reporting: the old version must never be lost to a failed replacement.
    if (aside !== undefined && !fs.existsSync(target)) fs.renameSync(aside, target);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Could not replace ${dir}: ${(err as Error).message}`, { cause: err });
  }
  syncPath(path.dirname(target));
  if (aside !== undefined) fs.rmSync(aside, { recursive: true, force: true });
}

/** The folder `target` was renamed aside to by a writer between its two renames, newest first; undefined if none. */
function asideCopy(target: string): { file: string; pid: number } | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(target));
  } catch {
    return undefined;
  }
  const found: { file: string; pid: number; time: number }[] = [];
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m || m[2] !== "old" || m[1] !== path.basename(target)) continue;
    const file = path.join(path.dirname(target), name);
    try {
      found.push({ file, pid: Number(m[3]), time: fs.statSync(file).mtimeMs });
    } catch {
      // Removed meanwhile: its writer finished.
    }
  }
  found.sort((a, b) => b.time - a.time);
  return found[0];
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The path to read a folder written by {@link writeDirAtomically} from. Normally `dir` itself; when `dir` is missing
 * because a writer is between its two renames, the complete version on disk: a dead writer's swap is undone (its
 * old folder is put back, as the next write would), and for a live writer the reader waits briefly for the new folder,
 * then reads the old one renamed aside (complete, and removed by the writer only after the new one is in place).
 * Every loader of an atomically written folder (models, networks, runs, checkpoints) goes through this.
 * Returns `dir` as given when it exists or nothing replaces it (the caller then reports it missing). Never throws.
 */
export function readableDir(dir: string): string {
  const target = path.resolve(dir);
  if (fs.existsSync(target)) return dir;
  let aside = asideCopy(target);
  if (aside === undefined) return dir;
  if (!processAlive(aside.pid)) {
    recoverAtomicWrites(path.dirname(target));
    if (fs.existsSync(target)) return dir;
    aside = asideCopy(target);
  }
  // A live writer's second rename follows at once; wait for it a little before reading its aside copy.
  for (let waited = 0; aside !== undefined && waited < 50; waited += 5) {
    sleepSync(5);
    if (fs.existsSync(target)) return dir;
    aside = asideCopy(target);
  }
  return fs.existsSync(target) || aside === undefined ? dir : aside.file;
}
