/**
 * Notebooks are committed without outputs. This finds notebooks that carry outputs or execution counts, and
 * strips them in place (atomically).
 *
 *   node dist/lib/report/strip-notebooks.js            # strip every notebooks/*.ipynb
 *   node dist/lib/report/strip-notebooks.js --check    # exit 1 and list the notebooks that have outputs
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./environment";
import { NotebookJson } from "./parameters";
import { writeFileAtomically } from "../core/files";

/** What makes a notebook "dirty": the cells with outputs or an execution count. */
export interface DirtyNotebook {
  file: string;
  /** 1-based cell numbers with outputs or an execution count. */
  cells: number[];
}

/** The committed notebooks: `notebooks/*.ipynb`, sorted. */
export function projectNotebooks(root: string = projectRoot()): string[] {
  const dir = path.join(root, "notebooks");
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ipynb"))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
}

/** The cells of a notebook that carry outputs or execution counts. */
function dirtyCells(nb: NotebookJson): number[] {
  return nb.cells
    .map((c, i) =>
      (c.outputs?.length ?? 0) > 0 || (c.execution_count !== null && c.execution_count !== undefined) ? i + 1 : 0,
    )
    .filter((i) => i > 0);
}

/** Notebooks (default: the project's) that carry outputs or execution counts. @throws Error naming a file that is not JSON. */
export function findDirtyNotebooks(files: string[] = projectNotebooks()): DirtyNotebook[] {
  return files
    .map((file) => {
      let nb: NotebookJson;
      try {
        nb = JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
      } catch (err) {
        throw new Error(`${file} is not valid notebook JSON: ${(err as Error).message}`, { cause: err });
      }
      return { file, cells: dirtyCells(nb) };
    })
    .filter((d) => d.cells.length > 0);
}

/** Removes outputs and execution counts from a notebook file, atomically. Returns whether it changed. */
function stripNotebook(file: string): boolean {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
  if (dirtyCells(nb).length === 0) return false;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  writeFileAtomically(file, JSON.stringify(nb, null, 1) + "\n");
  return true;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => a.endsWith(".ipynb")).map((a) => path.resolve(a));
  const targets = files.length ? files : projectNotebooks();
  if (args.includes("--check")) {
    const dirty = findDirtyNotebooks(targets);
    for (const d of dirty)
      console.error(
        `${path.relative(process.cwd(), d.file)}: outputs or execution counts in cell(s) ${d.cells.join(", ")}`,
      );
    if (dirty.length) console.error("Strip them with: node dist/lib/report/strip-notebooks.js");
    process.exit(dirty.length ? 1 : 0);
  }
  for (const file of targets) if (stripNotebook(file)) console.log(`stripped ${path.relative(process.cwd(), file)}`);
}
