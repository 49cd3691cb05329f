/**
 * The committed notebooks: stored without outputs, on the trainlab kernel, with a `parameters` cell that reads the
 * fast mode, importing only the public entry, with prose between the code, and one unique id per cell.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { findDirtyNotebooks, projectNotebooks } from "../../lib/report/strip-notebooks";
import { NotebookJson, cellSource, declaredParameters, parametersCellIndex } from "../../lib/report/parameters";

const EXPECTED = ["00-full-experiment", "01-define-goals", "02-prepare-data", "03-choose-algorithm", "04-train", "05-evaluate-tune", "06-validate"];

describe("committed notebooks", () => {
  const files = projectNotebooks();
  const read = (file: string): NotebookJson => JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;

  it("are the seven tutorials", () => {
    assert.deepEqual(files.map((f) => path.basename(f, ".ipynb")), EXPECTED);
  });

  it("have no outputs and no execution counts (strip with node dist/lib/report/strip-notebooks.js)", () => {
    assert.deepEqual(findDirtyNotebooks(files).map((d) => `${path.basename(d.file)}: cells ${d.cells.join(", ")}`), []);
  });

  for (const name of EXPECTED) {
    it(`${name}: trainlab kernel, a parameters cell with fast mode and seed, imports from "trainlab" only, prose between code`, () => {
      const nb = read(files.find((f) => path.basename(f, ".ipynb") === name) ?? "");
      assert.equal(nb.nbformat, 4);
      assert.equal((nb.metadata.kernelspec as { name: string }).name, "trainlab");
      const index = parametersCellIndex(nb);
      assert.ok(index >= 0, "a cell tagged parameters");
      const params = declaredParameters(cellSource(nb.cells[index]));
      assert.equal(params.get("fast"), "let");
      assert.equal(params.get("seed"), "let");
      assert.match(cellSource(nb.cells[index]), /process\.env\.TRAINLAB_FAST === "1"/);
      const code = nb.cells.filter((c) => c.cell_type === "code").map(cellSource).join("\n");
      const sources = [...code.matchAll(/\bfrom\s+["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
      assert.deepEqual([...new Set(sources)], ["trainlab"], "only the public entry is imported");
      const markdown = nb.cells.filter((c) => c.cell_type === "markdown");
      const codeCells = nb.cells.filter((c) => c.cell_type === "code");
      assert.ok(markdown.length * 2 >= codeCells.length, `${markdown.length} markdown cells for ${codeCells.length} code cells`);
      assert.match(cellSource(nb.cells[0]), /^# /, "opens with a title");
      // nbformat 4.5: every cell has its own id, and the concept table (notebooks/README.md) points at cells by id.
      const ids = nb.cells.map((c) => (c as { id?: unknown }).id);
      const missing = ids.flatMap((id, i) => (typeof id === "string" && id !== "" ? [] : [i]));
      assert.deepEqual(missing, [], "cells without an id (by index)");
      assert.equal(new Set(ids).size, ids.length, "cell ids are unique");
      // A cell with two "id" keys parses as one (the last wins) and hides the id of the cell that lost it.
      const raw = fs.readFileSync(files.find((f) => path.basename(f, ".ipynb") === name) ?? "", "utf8");
      assert.equal((raw.match(/^ {3}"id": /gm) ?? []).length, nb.cells.length, "exactly one \"id\" key per cell");
    });
  }
});
