/**
 * Specification: a profile draws one chart per column. The target's bars are its class balance, not drawn a second
 * time as "most frequent values" (issue 15, item 10: 02-prepare-data showed the species bar twice).
 */
import { strict as assert } from "assert";
import { loadDataset } from "../../lib/datasets";
import { profile } from "../../lib/data";

describe("lib/data: profile charts", () => {
  it("draws the target once (its class balance) and every other column once", () => {
    const penguins = loadDataset("penguins");
    const titles = profile(penguins, { target: "species" })
      .charts()
      .map((f) => String((f.layout.title as { text?: string } | undefined)?.text ?? ""));
    assert.deepEqual(
      titles.filter((t) => /species/.test(t)),
      ["Class balance of species"],
    );
    for (const column of penguins.columnNames().filter((c: string) => c !== "species")) {
      assert.equal(
        titles.filter((t) => new RegExp(`of ${column}\\b`).test(t)).length,
        1,
        `one chart of ${column}: ${titles.join("; ")}`,
      );
    }
    const withoutTarget = profile(penguins)
      .charts()
      .map((f) => String((f.layout.title as { text?: string } | undefined)?.text ?? ""));
    assert.ok(
      withoutTarget.includes("Most frequent values of species"),
      "without a target, species is an ordinary column",
    );
  });
});
