/**
 * Specification of `checkAnswer`, the check behind every notebook exercise: right, wrong (with the hint) or not
 * answered yet, and never a throw for a learner's answer, so notebooks with open exercises still run unattended.
 */
import { strict as assert } from "assert";
import { checkAnswer } from "../../lib/exercises";
import { DISPLAY } from "../../lib/display";
import { loadDataset } from "../../lib/datasets";

describe("lib/exercises: checkAnswer", () => {
  const penguins = loadDataset("penguins");

  it("says 'not answered yet' for an undefined or null answer, without throwing", () => {
    const answer: number | undefined = undefined;
    const check = checkAnswer("1. How many penguins?", answer, penguins.numRows());
    assert.equal(check.status, "unanswered");
    assert.equal(check.right, false);
    assert.match(check.toString(), /NOT ANSWERED YET/);
    assert.equal(checkAnswer("1", null, 3).status, "unanswered");
  });

  it("accepts a right number within the tolerance and rejects one outside it, showing the hint", () => {
    const rows = penguins.numRows();
    assert.equal(checkAnswer("rows", rows, rows).status, "right");
    const mean = (penguins.array("beak_length_mm") as (number | null)[]).filter((v): v is number => v !== null);
    const expected = mean.reduce((a, b) => a + b, 0) / mean.length;
    assert.equal(checkAnswer("mean beak", Number(expected.toFixed(2)), expected, { tolerance: 0.01 }).status, "right");
    const wrong = checkAnswer("mean beak", expected + 1, expected, {
      tolerance: 0.01,
      hint: "average the non-missing values",
    });
    assert.equal(wrong.status, "wrong");
    assert.match(wrong.message, /Hint: average the non-missing values/);
    assert.equal(checkAnswer("nan", NaN, expected, { tolerance: 1 }).status, "wrong", "NaN is never right");
  });

  it("compares strings without case or surrounding space, arrays element by element, and accepts a predicate", () => {
    assert.equal(checkAnswer("model", "  Logistic Regression ", "logistic regression").status, "right");
    assert.equal(checkAnswer("model", "MLP", "logistic regression").status, "wrong");
    const species = [...new Set(penguins.array("species") as string[])].sort();
    assert.equal(checkAnswer("species", ["Adelie", "Chinstrap", "Gentoo"], species).status, "right");
    assert.equal(checkAnswer("species", ["Adelie", "Gentoo"], species).status, "wrong");
    assert.equal(checkAnswer("a rate that diverges", 3, (lr: number) => lr >= 1).status, "right");
    assert.equal(checkAnswer("a rate that diverges", 0.001, (lr: number) => lr >= 1).status, "wrong");
  });

  it("displays as one line of HTML naming the exercise and the verdict", () => {
    const bundle = checkAnswer("2. <b>bold</b> title", 1, 1)[DISPLAY]();
    assert.match(String(bundle["text/html"]), /trainlab-exercise-right/);
    assert.ok(String(bundle["text/html"]).includes("&lt;b&gt;bold&lt;/b&gt;"), "the title is escaped");
    assert.match(String(bundle["text/plain"]), /RIGHT/);
  });

  it("throws only on the author's mistakes: an empty title or a bad tolerance", () => {
    assert.throws(() => checkAnswer("  ", 1, 1), /exercise's title/);
    assert.throws(() => checkAnswer("x", 1, 1, { tolerance: -1 }), /tolerance must be a finite number/);
  });
});
