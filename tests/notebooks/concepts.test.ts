/**
 * The concept table in notebooks/README.md (issue 15, "done when"): every concept, technique and metric the article
 * names maps to the notebook cell that runs it, none is prose only. Each row must point at a code cell that exists
 * and contains the named call, and the article's whole list must be in the table.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../lib/report/environment";
import { NotebookJson, cellSource } from "../../lib/report/parameters";

interface ConceptRow { step: string; concept: string; notebook: string; cell: string; call: string }

/** The article's six steps, as the issue lists them: each must name at least one row's concept. */
const ARTICLE = [
  "goals", "success criteria",
  "clean", "dedupe", "impute", "normalize", "encode", "diversity", "label", "split",
  "algorithm choice", "cross-validation",
  "live training and validation loss",
  "accuracy", "precision", "recall", "F1", "ROC AUC", "MSE", "grid search", "random search", "k-fold",
  "holdout", "edge cases", "adversarial", "slices", "drift", "interpretability", "efficiency",
];

function conceptTable(): ConceptRow[] {
  const readme = fs.readFileSync(path.join(projectRoot(), "notebooks", "README.md"), "utf8");
  const start = readme.indexOf("| Step | Concept | Notebook | Cell | Call |");
  assert.ok(start >= 0, "notebooks/README.md has the concept table");
  const lines = readme.slice(start).split("\n");
  const rows: ConceptRow[] = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 5, `a row of five columns: ${line}`);
    const call = /^`(.+)`$/.exec(cells[4]);
    assert.ok(call, `the call is code in backticks: ${line}`);
    rows.push({ step: cells[0], concept: cells[1], notebook: cells[2], cell: cells[3], call: call[1] });
  }
  return rows;
}

describe("notebooks/README.md: the concept table", () => {
  const rows = conceptTable();
  const notebooks = new Map<string, NotebookJson>();
  const notebook = (name: string): NotebookJson => {
    const file = path.join(projectRoot(), "notebooks", `${name}.ipynb`);
    assert.ok(fs.existsSync(file), `notebooks/${name}.ipynb exists`);
    if (!notebooks.has(name)) notebooks.set(name, JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson);
    return notebooks.get(name)!;
  };

  it("covers every concept, technique and metric of the article's six steps", () => {
    const concepts = rows.map((r) => r.concept.toLowerCase());
    const missing = ARTICLE.filter((name) => !concepts.some((c) => c.includes(name.toLowerCase())));
    assert.deepEqual(missing, [], "concepts without a row");
  });

  it("points every row at an existing code cell that contains the named call", () => {
    assert.ok(rows.length >= ARTICLE.length);
    const problems: string[] = [];
    for (const row of rows) {
      const cell = notebook(row.notebook).cells.find((c) => (c as { id?: string }).id === row.cell);
      if (!cell) problems.push(`${row.concept}: ${row.notebook} has no cell ${row.cell}`);
      else if (cell.cell_type !== "code") problems.push(`${row.concept}: ${row.notebook} cell ${row.cell} is ${cell.cell_type}, not code`);
      else if (!cellSource(cell).includes(row.call)) problems.push(`${row.concept}: ${row.notebook} cell ${row.cell} does not contain ${row.call}`);
    }
    assert.deepEqual(problems, []);
  });
});
