/**
 * Every tutorial ends the way a course chapter does (issue 15, item 1): a "Conclusion" section, then 2–4 exercises
 * whose answers are checked in the notebook by `checkAnswer`. Each exercise cell starts its answer as `undefined`,
 * so the notebook runs unattended (CI, `npm start`) and the check says "not answered yet".
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectNotebooks } from "../../lib/report/strip-notebooks";
import { NotebookJson, cellSource } from "../../lib/report/parameters";

describe("committed notebooks: a conclusion and checked exercises", () => {
  for (const file of projectNotebooks()) {
    const name = path.basename(file, ".ipynb");
    it(`${name}: ends with a conclusion and 2–4 exercises, each checked by checkAnswer and unanswered`, () => {
      const nb = JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
      const conclusion = nb.cells.findIndex((c) => c.cell_type === "markdown" && /^## Conclusion\b/m.test(cellSource(c)));
      const exercises = nb.cells.findIndex((c) => c.cell_type === "markdown" && /^## Exercises\b/m.test(cellSource(c)));
      assert.ok(conclusion >= 0, "a \"## Conclusion\" section");
      assert.ok(exercises > conclusion, "an \"## Exercises\" section after the conclusion");
      const after = nb.cells.slice(exercises + 1);
      assert.ok(after.every((c) => c.cell_type === "code"), "the exercises are the notebook's last cells");
      assert.ok(after.length >= 2 && after.length <= 4, `2–4 exercises, found ${after.length}`);
      after.forEach((cell, i) => {
        const src = cellSource(cell);
        const n = i + 1;
        assert.match(src, new RegExp(`^let answer${n}: [^=\\n]+ \\| undefined = undefined;$`, "m"), `exercise ${n} declares answer${n} as undefined`);
        assert.match(src, new RegExp(`checkAnswer\\("${n}\\. [^"]+", answer${n}, `), `exercise ${n} checks answer${n} with checkAnswer, titled "${n}. ..."`);
        assert.match(src, /hint: "/, `exercise ${n} gives a hint for a wrong answer`);
        assert.match(src.trim().split("\n").slice(-3).join("\n"), /checkAnswer\(/, `exercise ${n} ends with the check, so the verdict is displayed`);
      });
      assert.match(cellSource(after[0]), /import \{ checkAnswer \} from "trainlab";/);
    });
  }
});
