/**
 * Execution history, persisted across kernel restarts as JSON lines:
 * `$TRAINLAB_HISTORY_FILE`, else `$JUPYTER_DATA_DIR/trainlab/history.jsonl`, else
 * `~/.local/share/trainlab/history.jsonl`. Answers Jupyter's history_request (tail, range, search)
 * with IPython's semantics: entries are [session, line, input] or [session, line, [input, output]].
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** One stored cell. */
export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output?: string | null;
}

/** The content of a history_request. */
export interface HistoryRequest {
  output?: boolean;
  raw?: boolean;
  hist_access_type?: "tail" | "range" | "search";
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** Where history lives. */
export function historyFile(): string {
  if (process.env.TRAINLAB_HISTORY_FILE) return process.env.TRAINLAB_HISTORY_FILE;
  if (process.env.JUPYTER_DATA_DIR) return path.join(process.env.JUPYTER_DATA_DIR, "trainlab", "history.jsonl");
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(data, "trainlab", "history.jsonl");
}

const MAX_ENTRIES = 20000;

/** How much of the end of the history file is read to find the last session number. */
const TAIL_BYTES = 64 * 1024;

/**
 * The kernel's history: earlier sessions from disk plus this session. The file is read whole only to
 * answer a history_request: a cell's first execution reads just its end, for the session number.
 */
export class History {
  private earlier: HistoryEntry[] | undefined;
  private sessionNumber: number | undefined;
  private readonly own: HistoryEntry[] = [];
  private byLine = new Map<number, HistoryEntry>();
  /** Whether the history's folder was made (once per kernel, not per cell). */
  private folderMade = false;

  constructor(private readonly file = historyFile()) {}

  /** The parsed entries of a text of JSON lines (a torn line, e.g. of a kernel killed mid-write, is skipped). */
  private static parse(text: string): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as HistoryEntry;
        if (typeof e.session === "number" && typeof e.line === "number" && typeof e.input === "string") entries.push(e);
      } catch {
        // skipped
      }
    }
    return entries;
  }

  /** Earlier sessions' entries (the last MAX_ENTRIES), read from disk once. */
  private load(): HistoryEntry[] {
    if (this.earlier) return this.earlier;
    let text = "";
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      // No history yet.
    }
    this.earlier = History.parse(text).slice(-MAX_ENTRIES);
    return this.earlier;
  }

  /** This kernel's session number: the last session on disk + 1 (sessions are appended in order). */
  get session(): number {
    if (this.sessionNumber !== undefined) return this.sessionNumber;
    let tail: HistoryEntry[] | undefined;
    try {
      const fd = fs.openSync(this.file, "r");
      try {
        const size = fs.fstatSync(fd).size;
        const length = Math.min(size, TAIL_BYTES);
        const buf = Buffer.alloc(length);
        fs.readSync(fd, buf, 0, length, size - length);
        // The first line of a partial read is cut: only whole lines count.
        const text = buf.toString("utf8");
        const parsed = History.parse(length < size ? text.slice(text.indexOf("\n") + 1) : text);
        if (parsed.length > 0 || length === size) tail = parsed;
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      tail = [];
    }
    let max = 0;
    for (const e of tail ?? this.load()) max = Math.max(max, e.session);
    this.sessionNumber = max + 1;
    return this.sessionNumber;
  }

  /** Stores a cell's input (its output may follow with {@link setOutput}). */
  add(line: number, input: string): void {
    const entry: HistoryEntry = { session: this.session, line, input };
    this.own.push(entry);
    this.byLine.set(line, entry);
    this.persist(entry);
  }

  /** Records the text/plain output of a stored cell. */
  setOutput(line: number, output: string): void {
    const entry = this.byLine.get(line);
    if (!entry) return;
    entry.output = output;
    this.persist({ ...entry });
  }

  private persist(entry: HistoryEntry): void {
    try {
      if (!this.folderMade) fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.folderMade = true;
      fs.appendFileSync(this.file, JSON.stringify(entry) + "\n");
    } catch {
      // History is a convenience: a read-only home must not break execution.
    }
  }

  /** Unique entries (the last record of each session/line wins, so outputs recorded later apply). */
  private all(): HistoryEntry[] {
    const seen = new Map<string, HistoryEntry>();
    for (const e of this.load()) seen.set(`${e.session}:${e.line}`, e);
    for (const e of this.own) seen.set(`${e.session}:${e.line}`, e);
    return [...seen.values()];
  }

  /** Answers a history_request. */
  query(req: HistoryRequest): Array<[number, number, string | [string, string | null]]> {
    const format = (e: HistoryEntry): [number, number, string | [string, string | null]] =>
      req.output ? [e.session, e.line, [e.input, e.output ?? null]] : [e.session, e.line, e.input];
    const all = this.all();
    switch (req.hist_access_type ?? "tail") {
      case "range": {
        let session = req.session ?? 0;
        if (session <= 0) session = this.session + session;
        const start = req.start ?? 0;
        const stop = req.stop ?? Infinity;
        return all.filter((e) => e.session === session && e.line >= start && e.line < stop).map(format);
      }
      case "search": {
        const regex = globToRegExp(req.pattern ?? "*");
        let found = all.filter((e) => regex.test(e.input));
        if (req.unique) {
          const seen = new Set<string>();
          const unique: HistoryEntry[] = [];
          for (let i = found.length - 1; i >= 0; i--) {
            if (seen.has(found[i].input)) continue;
            seen.add(found[i].input);
            unique.unshift(found[i]);
          }
          found = unique;
        }
        if (req.n) found = found.slice(-req.n);
        return found.map(format);
      }
      default: {
        const n = req.n ?? 10;
        return all.slice(-n).map(format);
      }
    }
  }
}

/** IPython's glob search: `*` any run, `?` one character, anchored at both ends. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
