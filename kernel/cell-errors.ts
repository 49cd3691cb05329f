/**
 * How errors of cell code read in Jupyter: the ename / evalue / traceback of anything a cell throws, its stack
 * mapped back to the cells' own lines through each cell's emitted source map (kernel frames dropped), a caret
 * excerpt of the failing line, and the outcome of a cell with TypeScript errors. Used by the executor (executor.ts).
 */
import { SourceMap } from "module";
import * as util from "util";
import type { CellDiagnostic } from "./converter";
import { safeString } from "./render";
import { Insertions, unshiftColumn } from "./cell-tasks";

/** An error as Jupyter's `error` message carries it. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What running a cell produced. */
export type Outcome = { status: "ok"; hasValue: boolean; value?: unknown } | ({ status: "error" } & CellError);

/** The emitted code of one cell, kept to map its stack frames back. */
export interface CellSource {
  label: string;
  jsLines: number;
  code: string;
  map?: SourceMap;
  /** Text the await gate inserted, per line. */
  insertions?: Insertions;
}

const CELL_FILE = /trainlab-cell-(\d+)\.js:(\d+):(\d+)/;

/** Describes errors of cell code, reading the cells' sources the executor records. */
export class CellErrors {
  constructor(private readonly sources: Map<number, CellSource>) {}

  /** Maps a stack trace's cell frames (`trainlab-cell-N.js:L:C`) to the cells' own lines and drops kernel frames. */
  mapStack(stack: string): string[] {
    const lines = stack.split("\n");
    const out: string[] = [];
    for (const line of lines.slice(1)) {
      if (!/^\s+at /.test(line)) continue;
      if (
        /[/\\]kernel[/\\](executor|server(-channels|-requests)?|main)\.js|trainlab-imports\.js|trainlab-timer\.js|cell-tasks\.js|node:internal\/vm|node:vm:|node:async_hooks/.test(
          line,
        )
      )
        continue;
      const cell = CELL_FILE.exec(line);
      // The wrapper's own call line (after the cell's code) is no frame of the user's.
      if (cell && Number(cell[2]) > (this.sources.get(Number(cell[1]))?.jsLines ?? Infinity)) continue;
      out.push(
        line.replace(new RegExp(CELL_FILE, "g"), (_m, id: string, l: string, c: string) =>
          this.mapPosition(Number(id), Number(l), Number(c)),
        ),
      );
    }
    return out;
  }

  private mapPosition(fileId: number, line: number, column: number): string {
    const src = this.sources.get(fileId);
    if (!src) return `cell:${line}:${column}`;
    const entry = src.map?.findEntry(line - 1, unshiftColumn(src.insertions, line, column - 1)) as
      { originalLine?: number; originalColumn?: number } | undefined;
    if (!entry || entry.originalLine === undefined) return `${src.label}:${line}:${column}`;
    // The cell's source has a one-line prefix (`export {};`).
    return `${src.label}, line ${entry.originalLine}:${(entry.originalColumn ?? 0) + 1}`;
  }

  /** The cell source line (1-based) of the first cell frame in a stack, for a caret excerpt. */
  private excerpt(stack: string): string | undefined {
    const m = CELL_FILE.exec(stack);
    if (!m) return undefined;
    const src = this.sources.get(Number(m[1]));
    const entry = src?.map?.findEntry(
      Number(m[2]) - 1,
      unshiftColumn(src.insertions, Number(m[2]), Number(m[3]) - 1),
    ) as { originalLine?: number; originalColumn?: number } | undefined;
    if (!src || !entry || entry.originalLine === undefined) return undefined;
    const lineNo = entry.originalLine;
    const lines = src.code.split("\n");
    const text = lines[lineNo - 1];
    if (text === undefined) return undefined;
    const before = lines[lineNo - 2];
    const gutter = (n: number): string => String(n).padStart(4);
    return [
      `${src.label}, line ${lineNo}:`,
      ...(before !== undefined ? [`${gutter(lineNo - 1)} | ${before}`] : []),
      `${gutter(lineNo)} | ${text}`,
      `${" ".repeat(4)} | ${" ".repeat(entry.originalColumn ?? 0)}^`,
    ].join("\n");
  }

  /** Turns anything thrown by user code into Jupyter's ename / evalue / traceback. Never throws (an error whose getters throw gets a plain description). */
  describeError(err: unknown): CellError {
    try {
      const e = this.describeUnguarded(err);
      if (
        typeof e.ename === "string" &&
        typeof e.evalue === "string" &&
        e.traceback.every((t) => typeof t === "string")
      )
        return e;
      throw new Error("not plain strings");
    } catch (inner) {
      let what: string;
      try {
        what = util.inspect(err, { depth: 1, showProxy: true, getters: false });
      } catch {
        what = `a ${typeof err} that cannot be inspected`;
      }
      const evalue = `${what} (reading the thrown value failed: ${safeString(inner instanceof Error ? inner.message : inner)})`;
      return { ename: "Thrown", evalue, traceback: [`Thrown (a value whose properties throw): ${evalue}`] };
    }
  }

  private describeUnguarded(err: unknown): CellError {
    if (err instanceof Error || (typeof err === "object" && err !== null && "stack" in err && "message" in err)) {
      const e = err as Error & { code?: string };
      let ename = e.name || e.constructor?.name || "Error";
      let evalue = String(e.message);
      if (e.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
        ename = "Interrupted";
        evalue = "The cell was interrupted (SIGINT); the kernel's state is kept.";
      }
      const stack = typeof e.stack === "string" ? e.stack : "";
      const frames = ename === "Interrupted" && !CELL_FILE.test(stack) ? [] : this.mapStack(stack);
      const excerpt = this.excerpt(stack);
      const traceback = [`${ename}: ${evalue}`, ...(excerpt ? [excerpt] : []), ...frames];
      if (e.cause !== undefined) traceback.push(`Caused by: ${util.inspect(e.cause, { depth: 2 })}`);
      return { ename, evalue, traceback };
    }
    const evalue = util.inspect(err, { depth: 2 });
    return { ename: "Thrown", evalue, traceback: [`Thrown (a non-Error value): ${evalue}`] };
  }
}

/** A TypeScript error outcome: ename TSError, evalue naming the line, a caret excerpt per message. */
export function typeErrorOutcome(diagnostics: CellDiagnostic[], code: string, label: string): Outcome {
  const first = diagnostics[0];
  const where = (d: CellDiagnostic): string => `${d.fileName ? d.fileName : label}, line ${d.line}:${d.column}`;
  const lines = code.split("\n");
  const traceback: string[] = [`TSError: ${diagnostics.length} type error${diagnostics.length > 1 ? "s" : ""}`];
  for (const d of diagnostics) {
    const parts = [`${where(d)} - error TS${d.code}: ${d.message}`];
    const text = d.fileName ? undefined : lines[d.line - 1];
    if (text !== undefined) {
      const width = Math.max(1, d.endLine === d.line ? d.endColumn - d.column : text.length - d.column + 1);
      parts.push(`${String(d.line).padStart(4)} | ${text}`, `     | ${" ".repeat(d.column - 1)}${"~".repeat(width)}`);
    }
    traceback.push(parts.join("\n"));
  }
  return {
    status: "error",
    ename: "TSError",
    evalue: `${where(first)}: ${first.message} (TS${first.code})`,
    traceback,
  };
}
